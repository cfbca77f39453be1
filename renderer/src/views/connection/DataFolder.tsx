/**
 * Where the embedded services keep their data, with "Open data folder" when the host can open it (Electron's file
 * manager, or the browser host's desktop opener on its own machine) and always a Copy of the path, which works where
 * opening cannot (a browser host without a desktop session).
 */
import type { HostInfo } from '../../../../shared/panel/api.ts';
import { openDataFolder } from '../../commands/index.ts';
import { FolderPath } from '../../components/FolderPath.tsx';

type Embedded = NonNullable<HostInfo['embedded']>;

export function DataFolder({ embedded }: { embedded: Embedded }) {
  return (
    <dd className="data-folder">
      <FolderPath
        path={embedded.dataDir}
        label="Data folder of the embedded services"
        testId="data-folder"
        open={embedded.opensWith !== null ? openDataFolder : null}
        openLabel="Open data folder"
        opened={`Opened in ${embedded.opensWith ?? 'the file manager'}.`}
        how={embedded.opensWith !== null
          ? `Opens in ${embedded.opensWith}.`
          : 'This panel host cannot open folders on your desktop (its machine has no desktop session or no opener): copy the path instead.'}
      >
        <span className="muted" data-testid="data-folder-kind">
          {embedded.ephemeral ? 'Temporary (--ephemeral): removed when the panel stops.' : 'Kept between runs: the services start again on this data.'}
        </span>
      </FolderPath>
    </dd>
  );
}
