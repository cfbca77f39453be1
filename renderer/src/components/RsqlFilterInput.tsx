/**
 * A labelled text input for an RSQL filter (docs/PROTOCOL.md §6) with live inline validation by the
 * same compiler the server uses (`compileFilter`), an examples menu that inserts an example after the documentation's,
 * and Enter to apply. Shared by the Assets view (target `assets`) and the Integrations view (an integration's Filter).
 *
 * - The error names the part at fault (selector, operator or text) and is tied to the input with aria-invalid and
 *   aria-describedby; `serverError` shows what the service answered (e.g. its INVALID_FILTER) the same way.
 * - Enter calls `onApply(value)` only while the text is valid; an invalid text keeps focus and shows why.
 * - An example replaces an empty filter and is joined to a non-empty one with `;` (a conjunction: the only join the
 *   protocol supports).
 * - `children` go right under the input (after an error), e.g. what a consumer learned about the filter's values;
 *   `describedBy` adds their id to the input's aria-describedby.
 *
 * Test ids: the wrapper is `data-testid={id}`; inside it `rsql-input`, `rsql-error`, `rsql-examples` (the menu
 * button), `rsql-example` (each entry, `data-example` = its text).
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { compileFilter, type FilterTarget } from '../../../shared/rsql/index.ts';
import './rsql-filter-input.css';

export interface RsqlExample {
  /** The RSQL text inserted. */
  text: string;
  /** What it selects, in words. */
  description: string;
}

export interface RsqlFilterInputProps {
  /** The input's id; the wrapper's test id too. */
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  /** Enter (or the consumer's own Apply button) with a valid filter. */
  onApply?(value: string): void;
  target?: FilterTarget;
  /** Replaces the default examples of the target. */
  examples?: readonly RsqlExample[];
  /** What the service answered for the last applied filter (shown like a local error); null/undefined for none. */
  serverError?: { message: string; part?: string } | null;
  placeholder?: string;
  disabled?: boolean;
  /** Shown under the input (after an error, before the hint). */
  children?: ReactNode;
  /** Ids the input is also described by (space-separated), e.g. of what `children` shows. */
  describedBy?: string;
}

/** The documentation's own filter examples (scripts/testing/fixtures/), with values that exist in this project. */
export const DEFAULT_EXAMPLES: Record<FilterTarget, readonly RsqlExample[]> = {
  assets: [
    { text: 'asset.type.name==texture', description: 'Assets of one type (texture, mesh, video, level, material, audio, folder, other)' },
    { text: 'asset.name==*sky*', description: 'Assets whose name contains sky (* is a wildcard; case-insensitive)' },
    { text: 'asset.uri==Textures/*', description: 'Everything below the folder Textures (the path in the repository; * is a wildcard)' },
    { text: 'assetId=in=(ID1,ID2)', description: 'Assets with one of the listed IDs' },
    { text: 'exchange.snapshot.fromRevision==latest-1;exchange.snapshot.toRevision==latest', description: 'What the last commit inserted, modified or removed' },
    { text: 'asset.parameter.name==category and asset.parameter.value==Hero', description: 'Assets whose metadata “category” is Hero' },
  ],
  relationships: [
    { text: 'from.asset.id==ID', description: 'What a folder contains' },
    { text: 'to.asset.id==ID', description: 'The folder that contains an asset' },
    { text: 'exchange.snapshot.fromRevision==latest-1;exchange.snapshot.toRevision==latest', description: 'Relationships changed by the last commit' },
  ],
};

/** Joins an example to the current text: replaces an empty filter, else a `;` conjunction. */
export function insertExample(current: string, example: string): string {
  const trimmed = current.trim().replace(/[;\s]+$/, '');
  return trimmed === '' ? example : `${trimmed};${example}`;
}

/** The local validation of a filter: null when valid (an empty filter is valid and matches everything). */
export function filterProblem(text: string, target: FilterTarget): { message: string; part: string } | null {
  const result = compileFilter(text, target);
  return result.ok ? null : { message: result.error.message, part: result.error.part };
}

export function RsqlFilterInput({ id, label, value, onChange, onApply, target = 'assets', examples, serverError, placeholder, disabled, children, describedBy: extra }: RsqlFilterInputProps) {
  const errorId = useId();
  const hintId = useId();
  const menuId = useId();
  const [open, setOpen] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const list = examples ?? DEFAULT_EXAMPLES[target];
  const local = filterProblem(value, target);
  const problem = local ?? serverError ?? null;

  // Focus the first entry when the menu opens; close it when focus or a click goes elsewhere.
  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLButtonElement>('button')?.focus();
    const onDown = (e: MouseEvent) => {
      const t = e.target as Node;
      if (!menu.current?.contains(t) && !menuButton.current?.contains(t)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const choose = (example: RsqlExample) => {
    onChange(insertExample(value, example.text));
    setOpen(false);
    input.current?.focus();
  };

  const onInputKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (!local) onApply?.(value);
    } else if (e.key === 'ArrowDown' && e.altKey) {
      e.preventDefault();
      setOpen(true);
    }
  };

  const onMenuKey = (e: KeyboardEvent<HTMLUListElement>) => {
    const items = [...(menu.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    const move = (to: number) => {
      e.preventDefault();
      items[(to + items.length) % items.length]?.focus();
    };
    if (e.key === 'ArrowDown') move(at + 1);
    else if (e.key === 'ArrowUp') move(at - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(items.length - 1);
    else if (e.key === 'Escape' || e.key === 'Tab') {
      if (e.key === 'Escape') e.preventDefault();
      e.stopPropagation();
      setOpen(false);
      menuButton.current?.focus();
    }
  };

  const describedBy = [problem ? errorId : '', extra ?? '', hintId].filter(Boolean).join(' ');
  return (
    <div className="rsql" data-testid={id}>
      <label className="rsql-label" htmlFor={id}>{label}</label>
      <div className="rsql-row">
        <input
          ref={input}
          id={id}
          type="text"
          className="rsql-input"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onInputKey}
          spellCheck={false}
          autoComplete="off"
          placeholder={placeholder ?? 'e.g. asset.type.name==texture (empty = everything)'}
          aria-invalid={problem ? true : undefined}
          aria-describedby={describedBy}
          disabled={disabled}
          data-testid="rsql-input"
        />
        <div className="rsql-examples">
          <button
            ref={menuButton}
            type="button"
            aria-haspopup="menu"
            aria-expanded={open}
            aria-controls={open ? menuId : undefined}
            onClick={() => setOpen((o) => !o)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowDown') {
                e.preventDefault();
                setOpen(true);
              }
            }}
            disabled={disabled}
            data-testid="rsql-examples"
          >
            Examples <span aria-hidden="true">▾</span>
          </button>
          {open && (
            <ul ref={menu} id={menuId} className="rsql-menu" role="menu" aria-label={`Example filters for ${label}`} onKeyDown={onMenuKey}>
              {list.map((ex) => (
                <li key={ex.text} role="none">
                  <button type="button" role="menuitem" className="rsql-example" onClick={() => choose(ex)} data-testid="rsql-example" data-example={ex.text}>
                    <code className="rsql-example-text">{ex.text}</code>
                    <span className="rsql-example-desc">{ex.description}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      {problem ? (
        <p id={errorId} className="rsql-error" role="alert" data-testid="rsql-error" data-part={problem.part ?? ''}>
          {problem.part ? (
            <>
              Problem with <code className="rsql-part">{problem.part}</code>: {problem.message}
            </>
          ) : (
            problem.message
          )}
        </p>
      ) : null}
      {children}
      <p id={hintId} className="rsql-hint muted">
        Clauses joined by <code>;</code> or <code>and</code>{onApply ? '; Enter applies' : ''}. Alt+↓ opens the examples.
      </p>
    </div>
  );
}
