/**
 * Where the embedded services keep their data, with "Open data folder" when the host can open it (Electron's file
 * manager, or the browser host's desktop opener on its own machine) and always a Copy of the path, which works where
 * opening cannot (a browser host without a desktop session).
 */
import { useRef, useState } from 'react';
import type { HostInfo } from '../../../../shared/panel/api.ts';
import { usePanel } from '../../store/panel.ts';
import { copyText } from '../../components/clipboard.ts';

type Embedded = NonNullable<HostInfo['embedded']>;

export function DataFolder({ embedded }: { embedded: Embedded }) {
  const invoke = usePanel((s) => s.invoke);
  const [status, setStatus] = useState<{ text: string; problem: boolean } | null>(null);
  const pathRef = useRef<HTMLInputElement>(null);
  const open = async () => {
    setStatus(null);
    try {
      await invoke('openDataFolder', {});
      setStatus({ text: `Opened in ${embedded.opensWith ?? 'the file manager'}.`, problem: false });
    } catch (error) {
      setStatus({ text: `Could not open it: ${error instanceof Error ? error.message : String(error)}`, problem: true });
    }
  };
  const copy = async () => {
    if (await copyText(embedded.dataDir)) return setStatus({ text: 'Copied the path.', problem: false });
    // No clipboard here (a refused permission): select the path so Ctrl+C copies it.
    pathRef.current?.select();
    setStatus({ text: 'The clipboard is not available here: the path is selected, press Ctrl+C to copy it.', problem: false });
  };
  return (
    <dd className="data-folder" data-testid="data-folder">
      <input
        ref={pathRef}
        className="data-folder-path"
        readOnly
        value={embedded.dataDir}
        aria-label="Data folder of the embedded services"
        spellCheck={false}
        data-testid="data-folder-path"
        onFocus={(e) => e.currentTarget.select()}
      />
      <span className="muted" data-testid="data-folder-kind">
        {embedded.ephemeral ? 'Temporary (--ephemeral): removed when the panel stops.' : 'Kept between runs: the services start again on this data.'}
      </span>
      <span className="data-folder-actions">
        {embedded.opensWith !== null && (
          <button type="button" className="button" onClick={() => void open()} data-testid="data-folder-open">
            Open data folder
          </button>
        )}
        <button type="button" className="button" onClick={() => void copy()} data-testid="data-folder-copy">
          Copy path
        </button>
        <span className="muted" data-testid="data-folder-how">
          {embedded.opensWith !== null
            ? `Opens in ${embedded.opensWith}.`
            : 'This panel host cannot open folders on your desktop (its machine has no desktop session or no opener): copy the path instead.'}
        </span>
      </span>
      {status && (
        <span className={status.problem ? 'problem-text' : 'muted'} role="status" data-testid="data-folder-status">
          {status.text}
        </span>
      )}
    </dd>
  );
}
