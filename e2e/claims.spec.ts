// The Claims view against the server's own AssetInfo: force-releasing the claim STAGE-B holds names STAGE-B in the
// confirmation and takes the claim off the server. The claim is put back afterwards for the other specs.
import { expect, test } from '@playwright/test';
import { BridgeClient } from './bridge-client.ts';
import { panelUrl } from './panel-host.ts';

const SERVER = 'AssetHubServer';
const ALPHA = '%SYNCED_STORAGE%\\Projects\\Project Alpha';
const URI = 'FileSystem:/Content/Meshes/SM_Rock.fbx';

interface AssetInfo { Repositories: Record<string, { Name: string; Branches: Array<{ Name: string; Claims: Array<{ URI: string; Owner: string }> }> }> }

let bridge: BridgeClient;
test.beforeAll(async () => {
  bridge = await BridgeClient.open();
});
test.afterAll(() => bridge?.close());

/** Every claim in the server's own AssetInfo, as "owner uri" on repository/branch. */
async function serverClaims(): Promise<string[]> {
  const info = (await bridge.get(SERVER, ['AssetInfo'])) as AssetInfo;
  return Object.values(info.Repositories).flatMap((r) => r.Branches.flatMap((b) => b.Claims.map((c) => `${r.Name}|${b.Name}|${c.Owner}|${c.URI}`)));
}
const stageBClaim = `${ALPHA}|Main|STAGE-B|${URI}`;

test('force-releasing the claim STAGE-B holds names STAGE-B and takes it off the server', async ({ page }) => {
  // Robust to order: make sure STAGE-B holds it (the demo made it; another spec may have released it).
  if (!(await serverClaims()).includes(stageBClaim)) await bridge.call(SERVER, 'Claim', { Repository: ALPHA, Branch: 'Main', URI, Owner: 'STAGE-B' });
  try {
    await page.goto(panelUrl());
    await expect(page.getByTestId('connection-state')).toHaveText('Connected');
    await page.getByTestId('nav-claims').click();
    const row = page.locator('[data-testid="cl-claim"][data-owner="STAGE-B"]').filter({ hasText: 'Content/Meshes/SM_Rock.fbx' });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('Project Alpha');
    await expect(page.getByTestId('cl-list')).toContainText('Content/Levels/Main.umap');

    // The text filter narrows the list.
    await page.getByTestId('cl-filter').fill('SM_Rock');
    await expect(page.getByTestId('cl-claim')).toHaveCount(1);

    await row.getByTestId('cl-release').click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toContainText('Release the claim STAGE-B holds on');
    await expect(dialog).toContainText("STAGE-B's work on it is not affected, but anyone can then change it");
    await dialog.getByRole('button', { name: 'Force release' }).click();
    await expect(page.getByTestId('toast').filter({ hasText: "Released STAGE-B's claim" })).toBeVisible();
    await expect.poll(serverClaims).not.toContain(stageBClaim);
    await expect(row).toHaveCount(0);
  } finally {
    if (!(await serverClaims()).includes(stageBClaim)) await bridge.call(SERVER, 'Claim', { Repository: ALPHA, Branch: 'Main', URI, Owner: 'STAGE-B' });
  }
});
