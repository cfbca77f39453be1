/**
 * Export and import of the catalogue's tags, keywords and metadata (docs/PROTOCOL.md §6).
 * - Export: ExportAssets with optional tags and keywords, or one asset; the document is saved as a .json file through
 *   a Blob and an <a download> (in Electron the same opens its save dialog).
 * - Import: a .json file is read and parsed here (a parse error is shown, nothing is sent), previewed, then sent as
 *   ImportAssets {Document}. A refusal (UNPROCESSABLE) lists every problem: entry, field, message; nothing was applied.
 *   A success says how many assets were imported and how many were unchanged.
 */
import { useState, type ReactNode } from 'react';
import { ASSET_DOCUMENT_MAX_BYTES, IMPORT_CALL_MAX_BYTES, IMPORT_CALL_OVERHEAD_BYTES, type TAsset } from '../../../../shared/assethub/catalogue.ts';
import { CommandError, exportAssets, failureOf, importAssets, submit, toastFailure, type Failure } from '../../commands/index.ts';
import { FormDialog } from '../../components/FormDialog.tsx';
import { Modal } from '../../components/Modal.tsx';
import { RepoName } from '../../components/RepoName.tsx';
import { entryLabel, exportFileName, parseImportProblems, plural, splitList, type ImportProblemLine } from './model.ts';

/** Saves text as a file: the browser's download, Electron's save dialog. */
export function saveFile(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// ---- export ----

export function ExportDialog({ repository, branch, asset, onClose }: { repository: string; branch: string; asset: TAsset | null; onClose(): void }) {
  const [tags, setTags] = useState('');
  const [keywords, setKeywords] = useState('');
  const [only, setOnly] = useState(asset !== null);
  const one = only && asset ? asset : null;
  const send = () => {
    const t = splitList(tags);
    const k = splitList(keywords);
    const name = exportFileName(repository, branch, new Date(), one?.name);
    const asked = exportAssets({ Repository: repository, Branch: branch, AssetId: one?.id, Tags: t.length ? t : undefined, Keywords: k.length ? k : undefined });
    return submit(asked, { failure: 'Export failed', success: ({ Document }) => ({ title: `Exported ${plural(Document.assets.length, 'asset')}`, message: `Saved as ${name}` }) }, ({ Document }) => {
      saveFile(name, `${JSON.stringify(Document, null, 2)}\n`);
      onClose();
    });
  };
  return (
    <FormDialog title="Export assets" submitLabel="Export to file" canSubmit onCancel={onClose} testId="as-export-dialog" onSubmit={send}>
      <p className="muted">
        Tags, keywords and metadata of <RepoName name={repository} /> · <strong className="repo-strong">{branch}</strong>, at its latest commit.
      </p>
      <label className="field">
        Only assets with these tags (comma-separated; empty = any)
        <input value={tags} onChange={(e) => setTags(e.target.value)} spellCheck={false} autoComplete="off" data-testid="as-export-tags" />
      </label>
      <label className="field">
        Only assets with these keywords (comma-separated; empty = any)
        <input value={keywords} onChange={(e) => setKeywords(e.target.value)} spellCheck={false} autoComplete="off" data-testid="as-export-keywords" />
      </label>
      {asset && (
        <label className="check">
          <input type="checkbox" checked={only} onChange={(e) => setOnly(e.target.checked)} data-testid="as-export-only" />
          Only the selected asset: <code>{asset.name || asset.uri}</code>
        </label>
      )}
    </FormDialog>
  );
}

// ---- import ----

export type ImportState =
  | { phase: 'unreadable'; file: string; message: string }
  | { phase: 'preview'; file: string; document: unknown }
  | { phase: 'busy'; file: string; document: unknown }
  | { phase: 'refused'; file: string; document: unknown; summary: string; problems: ImportProblemLine[] }
  | { phase: 'failed'; file: string; document: unknown; error: Failure }
  | { phase: 'done'; file: string; imported: number; unchanged: number };

/** Reads a chosen file: JSON or the reason it is not. */
export async function readImportFile(file: File): Promise<ImportState> {
  let text: string;
  try {
    text = await file.text();
  } catch (e) {
    return { phase: 'unreadable', file: file.name, message: `the file could not be read: ${e instanceof Error ? e.message : String(e)}` };
  }
  let document: unknown;
  try {
    document = JSON.parse(text) as unknown;
  } catch (e) {
    return { phase: 'unreadable', file: file.name, message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  // Sent compact, whatever the file's indentation: what the server would refuse is refused here, with the way out.
  const bytes = new Blob([JSON.stringify(document)]).size;
  if (bytes + IMPORT_CALL_OVERHEAD_BYTES > IMPORT_CALL_MAX_BYTES) {
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    return {
      phase: 'unreadable', file: file.name,
      message: `the document is ${mib(bytes)} and an import takes at most ${mib(ASSET_DOCUMENT_MAX_BYTES)} (as an export gives): import it as smaller documents, e.g. exported by Tags or Keywords`,
    };
  }
  return { phase: 'preview', file: file.name, document };
}

/** The import dialog's frame in each of its phases: its actions close it (or import), its body says where it stands. */
function ImportFrame({ title, children, actions, onClose, busy }: { title: string; children: ReactNode; actions: ReactNode; onClose(): void; busy: boolean }) {
  return (
    <Modal title={title} onClose={onClose} busy={busy} className="as-modal-wide" testId="as-import-dialog" initialFocus=".modal-actions button:last-child">
      <div className="modal-body">{children}</div>
      <div className="modal-actions">{actions}</div>
    </Modal>
  );
}

function docSummary(document: unknown): { repository: string | null; branch: string | null; entries: number | null; format: string | null } {
  const d = typeof document === 'object' && document !== null ? (document as Record<string, unknown>) : {};
  const s = (v: unknown) => (typeof v === 'string' ? v : null);
  return { repository: s(d['repository']), branch: s(d['branch']), entries: Array.isArray(d['assets']) ? d['assets'].length : null, format: s(d['format']) };
}

function Problems({ document, problems }: { document: unknown; problems: ImportProblemLine[] }) {
  return (
    <div className="as-problems-scroll">
      <table className="table as-problems" data-testid="as-import-problems">
        <thead>
          <tr><th scope="col">Entry</th><th scope="col">Field</th><th scope="col">Problem</th></tr>
        </thead>
        <tbody>
          {problems.map((p, i) => {
            const label = entryLabel(document, p.index);
            return (
              <tr key={i} data-testid="as-import-problem" data-index={p.index} data-field={p.field}>
                <td className="as-problem-entry">
                  {p.index < 0 ? 'document' : `#${p.index}`}
                  {label && p.index >= 0 && <span className="muted as-problem-label" title={label}>{label}</span>}
                </td>
                <td><code>{p.field || '—'}</code></td>
                <td className="as-problem-msg">{p.message}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function ImportDialog({ state, onState, onImported, onClose }: { state: ImportState; onState(s: ImportState): void; onImported(): void; onClose(): void }) {
  const send = async (file: string, document: unknown) => {
    onState({ phase: 'busy', file, document });
    try {
      const r = await importAssets({ Document: document });
      onState({ phase: 'done', file, imported: r.Imported, unchanged: r.Unchanged });
      onImported();
    } catch (e) {
      const f = failureOf(e);
      const refused = f.code === 'UNPROCESSABLE' ? parseImportProblems(f.message) : null;
      // The toast says what the dialog lists entry by entry, in a line.
      toastFailure(`Import of ${file} refused`, refused ? new CommandError(f.code, `${refused.summary || 'invalid entries'} (${plural(refused.problems.length, 'problem')})`) : f);
      onState(refused ? { phase: 'refused', file, document, ...refused } : { phase: 'failed', file, document, error: f });
    }
  };
  const busy = state.phase === 'busy';
  const title = `Import ${state.file}`;
  const close = <button type="button" onClick={onClose} disabled={busy}>{state.phase === 'preview' ? 'Cancel' : 'Close'}</button>;

  switch (state.phase) {
    case 'unreadable':
      return (
        <ImportFrame title={title} onClose={onClose} busy={false} actions={close}>
          <p className="as-inline-error" role="alert" data-testid="as-import-error">The file was not imported: {state.message}</p>
          <p className="muted">Nothing was sent to the server.</p>
        </ImportFrame>
      );
    case 'preview':
    case 'busy': {
      const d = docSummary(state.document);
      return (
        <ImportFrame
          title={title}
          onClose={onClose}
          busy={busy}
          actions={
            <>
              {close}
              <button type="button" className="primary" disabled={busy} onClick={() => void send(state.file, state.document)} data-testid="as-import-confirm">
                {busy ? 'Importing…' : 'Import'}
              </button>
            </>
          }
        >
          <dl className="facts as-facts">
            <dt>Format</dt><dd>{d.format ?? <span className="muted">not given</span>}</dd>
            <dt>Repository</dt><dd>{d.repository ? <RepoName name={d.repository} /> : <span className="muted">not given</span>}</dd>
            <dt>Branch</dt><dd>{d.branch ?? <span className="muted">not given</span>}</dd>
            <dt>Entries</dt><dd>{d.entries === null ? <span className="muted">no assets list</span> : d.entries.toLocaleString('en-US')}</dd>
          </dl>
          <p className="muted as-note">The server upserts tags, keywords and metadata of every entry. If any entry is invalid nothing is applied and every problem is listed.</p>
        </ImportFrame>
      );
    }
    case 'refused':
      return (
        <ImportFrame title={title} onClose={onClose} busy={false} actions={close}>
          <p className="as-inline-error" role="alert" data-testid="as-import-refused">
            <code>UNPROCESSABLE</code> {state.summary || 'The server refused the import'}
            {/nothing was (imported|applied)/i.test(state.summary) ? '.' : '. Nothing was applied.'}
          </p>
          <p className="muted" data-testid="as-import-problem-count">{plural(state.problems.length, 'problem')}</p>
          <Problems document={state.document} problems={state.problems} />
        </ImportFrame>
      );
    case 'failed':
      return (
        <ImportFrame title={title} onClose={onClose} busy={false} actions={close}>
          <p className="as-inline-error" role="alert" data-testid="as-import-error">
            The server refused the import: <code>{state.error.code}</code> {state.error.message}
          </p>
        </ImportFrame>
      );
    case 'done':
      return (
        <ImportFrame title={title} onClose={onClose} busy={false} actions={close}>
          <p role="status" data-testid="as-import-done" data-imported={state.imported} data-unchanged={state.unchanged}>
            Imported <strong>{plural(state.imported, 'asset')}</strong>; <strong>{state.unchanged.toLocaleString('en-US')}</strong> unchanged.
          </p>
          <p className="muted">The table has been read again.</p>
        </ImportFrame>
      );
  }
}
