/**
 * A folder's absolute path, selectable, with "Copy path" always (it works where opening cannot) and "Open folder" when
 * the host can show it on this desktop; the outcome of either is said beside them. The embedded services' data folder
 * and the workspaces use it.
 */
import { useRef, useState, type ReactNode } from 'react';
import { copyText } from './clipboard.ts';
import './folder-path.css';

export interface FolderPathProps {
  path: string;
  /** The path field's accessible name. */
  label: string;
  /** Prefix of the test ids: `<id>-path`, `-open`, `-copy`, `-how`, `-status`. */
  testId: string;
  /** Opens the folder (rejects with the reason); null when this host cannot open it here. */
  open: (() => Promise<void>) | null;
  openLabel: string;
  /** How it opens, or why it cannot (then only Copy is offered). */
  how: string;
  /** Said after a successful open. */
  opened: string;
  /** A line between the path and the buttons. */
  children?: ReactNode;
}

export function FolderPath({ path, label, testId, open, openLabel, how, opened, children }: FolderPathProps) {
  const [status, setStatus] = useState<{ text: string; problem: boolean } | null>(null);
  const pathRef = useRef<HTMLInputElement>(null);
  const openIt = async (run: () => Promise<void>) => {
    setStatus(null);
    try {
      await run();
      setStatus({ text: opened, problem: false });
    } catch (error) {
      setStatus({ text: `Could not open it: ${error instanceof Error ? error.message : String(error)}`, problem: true });
    }
  };
  const copy = async () => {
    if (await copyText(path)) return setStatus({ text: 'Copied the path.', problem: false });
    // No clipboard here (a refused permission): select the path so Ctrl+C copies it.
    pathRef.current?.select();
    setStatus({ text: 'The clipboard is not available here: the path is selected, press Ctrl+C to copy it.', problem: false });
  };
  return (
    <div className="folder-path" data-testid={testId}>
      <input
        ref={pathRef}
        className="folder-path-value"
        readOnly
        value={path}
        aria-label={label}
        spellCheck={false}
        data-testid={`${testId}-path`}
        onFocus={(e) => e.currentTarget.select()}
      />
      {children}
      <span className="folder-path-actions">
        {open && (
          <button type="button" className="button" onClick={() => void openIt(open)} data-testid={`${testId}-open`}>
            {openLabel}
          </button>
        )}
        <button type="button" className="button" onClick={() => void copy()} data-testid={`${testId}-copy`}>
          Copy path
        </button>
        <span className="muted" data-testid={`${testId}-how`}>{how}</span>
      </span>
      {status && (
        <span className={status.problem ? 'problem-text' : 'muted'} role="status" data-testid={`${testId}-status`}>
          {status.text}
        </span>
      )}
    </div>
  );
}
