/**
 * An integration's Filter checked against the catalogue while it is edited (AssetHubServer's CheckFilter, at the
 * branch heads of the repositories ticked, every repository when none is): a moment after the operator stops typing,
 * and at once when Save asks. An answer counts only for the filter and repositories it was asked for: while the text
 * differs from the last one checked nothing is shown, so a warning never names a value that is no longer there.
 * Answers are kept (a few) so Save does not ask again for what was just checked.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TFilterWarning } from '../../../../shared/assethub/catalogue.ts';
import { checkFilter, failureOf, type Failure } from '../../commands/index.ts';

export interface FilterCheck {
  key: string;
  warnings: TFilterWarning[];
  omitted: number;
  /** Why the filter could not be checked (the server offline, an old server without CheckFilter, …). */
  failure: Failure | null;
}

/** Quiet time after the last keystroke before the check is asked. */
export const CHECK_DEBOUNCE_MS = 400;
/** How long Save waits for a check it had to ask for; past it, saving goes on and the outcome says nothing of warnings. */
export const CHECK_ON_SAVE_MS = 3000;
const KEPT = 20;

export const checkKey = (filter: string, repositories: readonly string[]): string => JSON.stringify([filter, [...repositories].sort()]);

export function useFilterCheck(filter: string, repositories: readonly string[], active: boolean) {
  const key = checkKey(filter, repositories);
  const answers = useRef(new Map<string, Promise<FilterCheck>>());
  const [shown, setShown] = useState<FilterCheck | null>(null);

  const ask = useCallback((text: string, repos: readonly string[]): Promise<FilterCheck> => {
    const k = checkKey(text, repos);
    const kept = answers.current.get(k);
    if (kept) return kept;
    const answer = checkFilter({ Filter: text, Repositories: [...repos] }).then(
      (r) => ({ key: k, warnings: r.Warnings, omitted: r.Omitted, failure: null }),
      (error: unknown) => {
        answers.current.delete(k); // a failure is not kept: the next look asks again
        return { key: k, warnings: [], omitted: 0, failure: failureOf(error) };
      },
    );
    answers.current.set(k, answer);
    if (answers.current.size > KEPT) answers.current.delete(answers.current.keys().next().value as string);
    return answer;
  }, []);

  const repoList = useRef(repositories);
  repoList.current = repositories;
  useEffect(() => {
    if (!active || filter.trim() === '') return;
    let live = true;
    const timer = setTimeout(() => {
      void ask(filter, repoList.current).then((answer) => {
        if (live) setShown(answer);
      });
    }, CHECK_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [active, filter, key, ask]);

  /** Save's check: the kept answer, or a new one waited for at most CHECK_ON_SAVE_MS (null past it, or for an empty filter). */
  const checkNow = useCallback(async (text: string, repos: readonly string[]): Promise<FilterCheck | null> => {
    if (text.trim() === '') return null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), CHECK_ON_SAVE_MS);
    });
    try {
      return await Promise.race([ask(text, repos), late]);
    } finally {
      clearTimeout(timer);
    }
  }, [ask]);

  const current = active && shown?.key === key ? shown : null;
  return { current, checkNow };
}
