/**
 * Under an integration's Filter: what the catalogue does not hold of the values it names (useFilterCheck), each with
 * the nearest known value as a one-click "Use …" that puts it in the filter text in place of the unknown one. A
 * warning, not an error: Save still goes ahead (assets with that value may come later), and its outcome says so.
 * The region is a live status (always in the page, so a screen reader hears the warnings arrive) and the filter input
 * names it in aria-describedby while it holds something.
 */
import type { TFilterWarning } from '../../../../shared/assethub/catalogue.ts';
import { RepoName } from '../../components/RepoName.tsx';
import type { FilterCheck } from './useFilterCheck.ts';
import { plural } from './model.ts';

export interface FilterWarningsProps {
  id: string;
  check: FilterCheck | null;
  repositories: readonly string[];
  onUse(warning: TFilterWarning & { Suggestion: string }): void;
}

/** Whether the region shows anything (then the input points at it). */
export const hasNotes = (check: FilterCheck | null): boolean => check !== null && (check.warnings.length > 0 || check.failure !== null);

/** The Message without its leading `<selector>: ` (the selector is shown apart). */
const detail = (w: TFilterWarning): string => (w.Message.startsWith(`${w.Selector}: `) ? w.Message.slice(w.Selector.length + 2) : w.Message);

/** What a save's outcome adds about the filter: null when it was checked and nothing is unknown (or it was not checked). */
export function savedNote(check: FilterCheck | null): { title: string; message: string } | null {
  if (check === null || check.failure !== null || check.warnings.length === 0) return null;
  const n = check.warnings.length + check.omitted;
  const sentences = check.warnings.map((w) => (/[?.]$/.test(w.Message) ? w.Message : `${w.Message}.`));
  if (check.omitted > 0) sentences.push(`And ${plural(check.omitted, 'more value')} not found.`);
  return {
    title: `its filter has ${plural(n, 'warning')}`,
    message: `${sentences.join(' ')} Saved as typed: edit the integration to change it.`,
  };
}

function Scope({ repositories }: { repositories: readonly string[] }) {
  if (repositories.length === 0) return <>every repository</>;
  if (repositories.length === 1) return <RepoName name={repositories[0] as string} />;
  return <>the {repositories.length} repositories ticked</>;
}

export function FilterWarnings({ id, check, repositories, onUse }: FilterWarningsProps) {
  const warnings = check?.warnings ?? [];
  return (
    <div id={id} role="status" className={hasNotes(check) ? 'int-filter-check' : undefined} data-testid="int-filter-check">
      {warnings.length > 0 && (
        <>
          <p className="int-filter-check-head">
            <span className="int-warn"><span aria-hidden="true">⚠ </span>{plural(warnings.length + (check?.omitted ?? 0), 'value')} not found in the catalogue</span>{' '}
            <span className="muted">(the assets at the branch heads of <Scope repositories={repositories} />)</span>
          </p>
          <ul className="int-filter-warnings">
            {warnings.map((w) => (
              <li key={`${w.Selector}\u0000${w.Value}`} className="int-filter-warning" data-testid="int-filter-warning" data-selector={w.Selector} data-value={w.Value}>
                <span className="int-filter-warning-text">
                  <code>{w.Selector}</code>: {detail(w)}
                </span>
                {w.Suggestion !== null && (
                  <button
                    type="button"
                    className="int-small"
                    onClick={() => onUse({ ...w, Suggestion: w.Suggestion as string })}
                    aria-label={`Use ${w.Suggestion} instead of ${w.Value} in ${w.Selector}`}
                    data-testid="int-filter-use"
                  >
                    Use <span className="int-mono">{w.Suggestion}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
          {check && check.omitted > 0 && <p className="int-field-hint muted">…and {check.omitted.toLocaleString('en-US')} more.</p>}
          <p className="int-field-hint muted">A warning does not block Save.</p>
        </>
      )}
      {check?.failure && (
        <p className="int-field-hint muted" data-testid="int-filter-check-failed">
          The filter could not be checked against the catalogue: <code>{check.failure.code}</code> {check.failure.message}
        </p>
      )}
    </div>
  );
}
