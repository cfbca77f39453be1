/** The Claims view's rows: every claim the server's AssetInfo holds, as the view lists and filters them. */
import { serverOf } from '../../lib/selectors.ts';
import type { PanelData } from '../../store/panel.ts';

export interface ClaimRow { key: string; repository: string; branch: string; uri: string; owner: string; createdAt: string; search: string }

/** The server's claims as rows, by repository, branch, then URI. */
export function claimRows(data: PanelData | null): ClaimRow[] {
  const rows: ClaimRow[] = [];
  const repos = serverOf(data).AssetInfo?.Repositories ?? {};
  for (const repository of Object.keys(repos).sort((a, b) => a.localeCompare(b))) {
    for (const branch of repos[repository]?.Branches ?? []) {
      for (const claim of [...branch.Claims].sort((a, b) => a.URI.localeCompare(b.URI))) {
        rows.push({
          key: `${repository}\n${branch.Name}\n${claim.URI}`,
          repository,
          branch: branch.Name,
          uri: claim.URI,
          owner: claim.Owner,
          createdAt: claim.CreatedAt,
          search: `${claim.URI}\n${claim.Owner}\n${repository}\n${branch.Name}`.toLowerCase(),
        });
      }
    }
  }
  return rows;
}
