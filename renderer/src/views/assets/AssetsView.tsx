/**
 * The asset catalogue of a repository branch (docs/PROTOCOL.md §6): what the server's QueryAssets answers for the
 * chosen repository, branch, filter and revisions (it opens where the assets are: startPlace.ts) — a snapshot ("Snapshot at" latest, latest-1 or a commit) or, with
 * "Compare from", the delta between two revisions with what each asset went through. Pages of 200 by cursor; an
 * expired cursor re-runs the query with a notice; an INVALID_FILTER answer is shown at the filter. The selected
 * asset's details sit beside the table. Export writes a .json file; Import sends one and lists every problem.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { TAsset } from '../../../../shared/assethub/catalogue.ts';
import type { TCommit } from '../../../../shared/assethub/states.ts';
import { DEFAULT_EXAMPLES, RsqlFilterInput, filterProblem, type RsqlExample } from '../../components/RsqlFilterInput.tsx';
import { serverOf, shortId } from '../../lib/selectors.ts';
import { repositoriesOf } from '../../lib/repositories.ts';
import { usePanel } from '../../store/panel.ts';
import { useNow } from '../../lib/useNow.ts';
import { RepoName } from '../../components/RepoName.tsx';
import { AssetDetail } from './AssetDetail.tsx';
import { AssetTable } from './AssetTable.tsx';
import { ExportDialog, ImportDialog, readImportFile, type ImportState } from './ImportExport.tsx';
import { LATEST, PREVIOUS, composeFilters, filterRevisions, plural, rsqlValue, withFind } from './model.ts';
import { queryAssets, useFeature } from '../../commands/index.ts';
import { FeatureGate } from '../../components/FeatureGate.tsx';
import { rememberPlace, rememberedPlace, startPlace } from './startPlace.ts';
import { useQueryCount, useRepositoryCounts } from './useAssetCounts.ts';
import { useAssetQuery, type AssetQuery } from './useAssetQuery.ts';
import './assets.css';

const commitLabel = (c: TCommit): string => `${shortId(c.ID)} · ${c.Comment || '(no comment)'}`;

/** Words for a revision value: `latest`, `latest-1` or a commit of the branch. */
function revisionText(rev: string, commits: readonly TCommit[]): string {
  if (rev === LATEST) return 'latest';
  if (rev === PREVIOUS) return 'latest-1';
  const c = commits.find((x) => x.ID === rev);
  return c ? shortId(c.ID) : shortId(rev);
}

function RevisionSelect({ id, label, value, onChange, commits, allowNone, disabled, testId }: {
  id: string; label: string; value: string; onChange(v: string): void; commits: readonly TCommit[]; allowNone: boolean; disabled: boolean; testId: string;
}) {
  const newest = [...commits].reverse();
  const head = newest[0];
  const before = newest[1];
  return (
    <div className="as-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled} data-testid={testId}>
        {allowNone && <option value="">None (a snapshot)</option>}
        <option value={LATEST}>latest{head ? ` — ${commitLabel(head)}` : ''}</option>
        <option value={PREVIOUS} disabled={commits.length === 0}>latest-1{before ? ` — ${commitLabel(before)}` : ' — before the first commit'}</option>
        {newest.length > 0 && (
          <optgroup label="Commits, newest first">
            {newest.map((c) => (
              <option key={c.ID} value={c.ID}>{commitLabel(c)}</option>
            ))}
          </optgroup>
        )}
      </select>
    </div>
  );
}

/** The view, once the server offers the asset catalogue (FeatureGate says why not otherwise). */
export function AssetsView() {
  return (
    <FeatureGate feature="catalogue" title="Assets" verdict={useFeature('catalogue')}>
      <AssetsViewOffered />
    </FeatureGate>
  );
}

function AssetsViewOffered() {
  const data = usePanel((s) => s.data);
  const now = useNow(15_000);
  const repos = useMemo(() => repositoriesOf(data), [data]);
  const [repoName, setRepoName] = useState<string | null>(null);
  const [branchName, setBranchName] = useState<string | null>(null);
  const [snapshot, setSnapshot] = useState(LATEST);
  const [compareFrom, setCompareFrom] = useState('');
  const [typed, setTyped] = useState('');
  const [applied, setApplied] = useState('');
  const [find, setFind] = useState('');
  const [findApplied, setFindApplied] = useState('');
  // The Find box searches as the operator types, once typing pauses.
  useEffect(() => {
    const t = setTimeout(() => setFindApplied(find), 300);
    return () => clearTimeout(t);
  }, [find]);
  const [selected, setSelected] = useState<TAsset | null>(null);
  const [exportFor, setExportFor] = useState<{ asset: TAsset | null } | null>(null);
  const [importState, setImportState] = useState<ImportState | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const [remembered] = useState(rememberedPlace);
  const repoCounts = useRepositoryCounts(useMemo(() => repos.map((r) => {
    const first = r.branches[0];
    return { name: r.name, branch: first?.name ?? null, head: first?.commits.at(-1)?.ID ?? null };
  }), [repos]));
  // Until the operator chooses, the view stays where it opened (counts arriving later do not move it).
  const [start, setStart] = useState<{ repository: string; branch: string } | null>(null);
  const place = start ?? startPlace(repos, remembered, repoCounts);
  useEffect(() => {
    if (start === null && place !== null) setStart(place);
  }, [start, place]);

  const repo = repos.find((r) => r.name === (repoName ?? place?.repository)) ?? (place ? repos[0] : undefined);
  const branch = repo?.branches.find((b) => b.name === (branchName ?? (repo.name === place?.repository ? place.branch : null))) ?? repo?.branches[0];
  const commits = useMemo(() => branch?.commits ?? [], [branch]);
  const commitMap = useMemo(() => new Map(commits.map((c) => [c.ID, c])), [commits]);

  const own = filterRevisions(applied);
  const ownRevisions = own !== null;
  const filters = composeFilters(withFind(applied, findApplied), { snapshot, compareFrom: compareFrom === '' ? null : compareFrom });
  const query: AssetQuery | null = repo && branch ? { repository: repo.name, branch: branch.name, filters } : null;
  const { state, more, refresh } = useAssetQuery(query);
  const total = useQueryCount(query, state.answered);
  const delta = state.rows.some((r) => r.operation !== undefined) || (!ownRevisions && compareFrom !== '');

  // Keep the selected asset's copy fresh when the rows are read again (e.g. after an import).
  useEffect(() => {
    setSelected((s) => (s ? state.rows.find((r) => r.id === s.id) ?? s : s));
  }, [state.rows]);

  const changeRepo = (name: string) => {
    setRepoName(name);
    setBranchName(null);
    const first = repos.find((r) => r.name === name)?.branches[0];
    if (first) rememberPlace({ repository: name, branch: first.name });
    setSnapshot(LATEST);
    setCompareFrom('');
    setSelected(null);
  };
  const changeBranch = (name: string) => {
    setBranchName(name);
    if (repo) rememberPlace({ repository: repo.name, branch: name });
    setSnapshot(LATEST);
    setCompareFrom('');
    setSelected(null);
  };

  /** After an import the table is read again, and the selected asset too (it may not be among the loaded rows). */
  const afterImport = useCallback(() => {
    refresh();
    const s = selected;
    if (!s || !repo || !branch) return;
    void queryAssets({ Repository: repo.name, Branch: branch.name, Limit: 1, Filters: `assetId==${rsqlValue(s.id)};exchange.snapshot.toRevision==${rsqlValue(snapshot)}` }).then(
      (r) => {
        const fresh = r.results[0];
        if (fresh) setSelected((cur) => (cur?.id === fresh.id ? { ...fresh, ...(cur.operation ? { operation: cur.operation } : {}) } : cur));
      },
      () => {},
    );
  }, [refresh, selected, repo, branch, snapshot]);

  /** Opens a related asset: from the loaded rows when there, else as the server answered it. */
  const open = (a: TAsset) => setSelected(state.rows.find((r) => r.id === a.id) ?? a);

  if (!data) return <p className="muted">Waiting for the panel engine…</p>;
  const serverKnown = serverOf(data).PersistentState !== undefined;

  const localProblem = filterProblem(typed, 'assets');
  const serverFilterError = state.error?.code === 'INVALID_FILTER' && typed === applied ? { message: state.error.message } : null;
  const apply = (text: string) => {
    if (filterProblem(text, 'assets')) return;
    if (text === applied) refresh();
    else setApplied(text);
  };

  const examples: RsqlExample[] = [
    { text: 'asset.type.name==texture', description: 'Textures (types: texture, mesh, video, level, material, audio, folder, other)' },
    ...DEFAULT_EXAMPLES.assets.filter((e) => e.text.startsWith('asset.name') || e.text.startsWith('asset.uri')),
    {
      text: `assetId=in=(${(state.rows.length >= 2 ? state.rows.slice(0, 2).map((r) => rsqlValue(r.id)) : ['ID1', 'ID2']).join(',')})`,
      description: state.rows.length >= 2 ? 'The first two assets of the table, by ID' : 'Assets with one of the listed IDs',
    },
    { text: 'exchange.snapshot.fromRevision==latest-1;exchange.snapshot.toRevision==latest', description: 'What the last commit inserted, modified or removed (the revision pickers stand aside)' },
    { text: 'asset.parameter.name==category and asset.parameter.value==Hero', description: 'Assets whose metadata “category” is Hero' },
  ];

  const loaded = state.rows.length;
  const hasMore = state.nextCursor !== null;
  const firstLoading = state.loading === 'first';
  const counts = delta
    ? (['INSERT', 'MODIFY', 'REMOVE'] as const).map((op) => [op, state.rows.filter((r) => r.operation === op).length] as const)
    : [];
  // Relationships of the selected asset are read where it is shown: at the snapshot, or before it was removed.
  const shownAt = own ? { to: own.to ?? LATEST, from: own.from } : { to: snapshot, from: compareFrom === '' ? null : compareFrom };
  const selectedRevision = selected?.operation === 'REMOVE' && shownAt.from !== null ? shownAt.from : shownAt.to;
  const rangeText = ownRevisions ? 'the revisions named in the filter' : compareFrom !== '' ? `changes after ${revisionText(compareFrom, commits)} up to ${revisionText(snapshot, commits)}` : `snapshot at ${revisionText(snapshot, commits)}`;

  return (
    <div className="as-view" data-testid="assets-view">
      <div className="as-head">
        <h2 className="view-title">Assets</h2>
        {repo && branch && (
          <span className="as-where muted">
            <RepoName name={repo.name} /> · <strong className="repo-strong">{branch.name}</strong>
          </span>
        )}
        <div className="as-head-tools">
          <button type="button" onClick={() => setExportFor({ asset: selected })} disabled={!repo || !branch} data-testid="as-export">Export…</button>
          <label className={`as-file-button${!repo ? ' as-file-disabled' : ''}`}>
            <input
              ref={fileInput}
              type="file"
              accept=".json,application/json"
              className="as-visually-hidden"
              aria-label="Import tags, keywords and metadata from a JSON file"
              disabled={!repo}
              data-testid="as-import-file"
              onChange={async (e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file) setImportState(await readImportFile(file));
              }}
            />
            <span aria-hidden="true">Import…</span>
          </label>
        </div>
      </div>

      <section className="card as-toolbar" aria-label="What to show">
        <div className="as-pickers">
          <div className="as-field as-field-repo">
            <label htmlFor="as-repo">Repository</label>
            <select id="as-repo" value={repo?.name ?? ''} onChange={(e) => changeRepo(e.target.value)} disabled={repos.length === 0} data-testid="as-repo">
              {repos.length === 0 && <option value="">{serverKnown ? 'No repositories' : 'Not read yet'}</option>}
              {repos.length > 0 && !repo && <option value="">Finding where the assets are…</option>}
              {repos.map((r) => {
                const n = repoCounts.get(r.name);
                return <option key={r.name} value={r.name} data-count={typeof n === 'number' ? n : ''}>{r.name}{typeof n === 'number' ? ` (${plural(n, 'asset')} on ${r.branches[0]?.name ?? ''})` : ''}</option>;
              })}
            </select>
          </div>
          <div className="as-field">
            <label htmlFor="as-branch">Branch</label>
            <select id="as-branch" value={branch?.name ?? ''} onChange={(e) => changeBranch(e.target.value)} disabled={!repo || repo.branches.length === 0} data-testid="as-branch">
              {!branch && <option value="">—</option>}
              {repo?.branches.map((b) => (
                <option key={b.name} value={b.name}>{b.name} ({plural(b.commits.length, 'commit')})</option>
              ))}
            </select>
          </div>
          <RevisionSelect id="as-snapshot" label="Snapshot at" value={snapshot} onChange={(v) => setSnapshot(v)} commits={commits} allowNone={false} disabled={!branch || ownRevisions} testId="as-snapshot" />
          <RevisionSelect id="as-compare" label="Compare from" value={compareFrom} onChange={(v) => setCompareFrom(v)} commits={commits} allowNone disabled={!branch || ownRevisions} testId="as-compare" />
        </div>
        <div className="as-field as-find">
          <label htmlFor="as-find">Find by name or path</label>
          <input
            id="as-find"
            type="search"
            value={find}
            onChange={(e) => setFind(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && setFindApplied(find)}
            placeholder="sky · Textures/ · T_*.png"
            aria-describedby="as-find-hint"
            spellCheck={false}
            data-testid="as-find"
          />
          <span id="as-find-hint" className="muted as-find-hint">
            Anywhere in the name; with a <code>/</code>, in the path; <code>*</code> stands for any text; letters in either case. Sent as <code>asset.name==</code> / <code>asset.uri==</code>, with the filter below.
          </span>
        </div>
        <div className="as-filter-row">
          <RsqlFilterInput id="as-filter" label="Filter (RSQL)" value={typed} onChange={setTyped} onApply={apply} target="assets" examples={examples} serverError={serverFilterError} />
          <button type="button" className="primary as-apply" onClick={() => apply(typed)} disabled={localProblem !== null || !query} data-testid="as-apply">
            Apply
          </button>
        </div>
        {ownRevisions && <p className="as-note muted" data-testid="as-own-revisions">The filter names its own revisions: the Snapshot at and Compare from pickers stand aside.</p>}
        <p className="as-sent muted">
          Sent as Filters: <code data-testid="as-sent-filter">{query ? query.filters : '—'}</code>
          {typed !== applied && !localProblem && <span className="as-unapplied"> · the filter above is not applied yet (Enter or Apply)</span>}
        </p>
      </section>

      <div className={`as-body${selected ? ' as-body-detail' : ''}`}>
        <section
          className="card as-results"
          aria-label="Assets"
          aria-busy={state.loading !== null}
          data-testid="as-results"
          data-state={state.loading ? 'loading' : state.error ? 'error' : state.answered ? 'ready' : 'idle'}
          data-repository={state.answered?.repository ?? ''}
          data-branch={state.answered?.branch ?? ''}
          data-filters={state.answered?.filters ?? ''}
        >
          <div className="as-results-head">
            <span className="as-count" data-testid="as-count" data-loaded={loaded} data-total={total ?? ''} data-more={hasMore ? 'true' : 'false'} role="status" aria-live="polite">
              {firstLoading ? (
                'Loading assets…'
              ) : state.answered ? (
                <>
                  <strong>{loaded.toLocaleString('en-US')}</strong>
                  {hasMore && total !== null && <> of <strong data-testid="as-total">{total.toLocaleString('en-US')}</strong></>}{' '}
                  {delta ? (loaded === 1 && !hasMore ? 'change' : 'changes') : loaded === 1 && !hasMore ? 'asset' : 'assets'} loaded ·{' '}
                  {hasMore ? <span className="as-more-exist">more exist</span> : <span>all loaded</span>}
                </>
              ) : (
                '—'
              )}
            </span>
            {delta && counts.length > 0 && !firstLoading && (
              <span className="as-op-counts" data-testid="as-op-counts">
                {counts.map(([op, n]) => (
                  <span key={op} className={`as-op as-op-${op}`} data-operation={op}>
                    <span aria-hidden="true" className="as-op-sign">{op === 'INSERT' ? '+' : op === 'MODIFY' ? '~' : '−'}</span>
                    {n} {op === 'INSERT' ? 'added' : op === 'MODIFY' ? 'modified' : 'removed'}
                  </span>
                ))}
              </span>
            )}
            <span className="as-range muted">{rangeText}</span>
            <button type="button" className="as-refresh" onClick={refresh} disabled={!query || state.loading !== null} data-testid="as-refresh">Refresh</button>
          </div>
          {state.notice && (
            <p className="as-notice" role="status" data-testid="as-notice">{state.notice}</p>
          )}
          {!repo ? (
            <p className="muted" data-testid="as-no-repo">
              {repos.length > 0 ? 'Finding the repository with the most assets…' : serverKnown ? 'The server has no repositories.' : 'The server’s repositories have not been read yet.'}
            </p>
          ) : !branch ? (
            <p className="muted">This repository has no branches.</p>
          ) : state.error && loaded === 0 ? (
            <div className="as-error" role="alert" data-testid="as-error" data-code={state.error.code}>
              <p>
                {state.error.code === 'INVALID_FILTER' ? 'The server refused the filter' : 'The assets could not be read'}: <code>{state.error.code}</code> {state.error.message}
              </p>
              {state.error.code !== 'INVALID_FILTER' && <button type="button" onClick={refresh}>Try again</button>}
            </div>
          ) : firstLoading && loaded === 0 ? (
            <p className="muted as-loading" aria-busy="true">Loading assets…</p>
          ) : loaded === 0 ? (
            <p className="muted as-empty" data-testid="as-empty">{delta ? 'Nothing changed in this range that matches the filter.' : 'No assets match.'}</p>
          ) : (
            <AssetTable
              rows={state.rows}
              delta={delta}
              selectedId={selected?.id ?? null}
              onSelect={setSelected}
              commits={commitMap}
              now={now}
              onEndReached={() => void more()}
              label={`Assets of ${repo.name} ${branch.name}, ${rangeText}`}
              busy={state.loading !== null}
            />
          )}
          {state.error && loaded > 0 && (
            <p className="as-inline-error" role="alert" data-testid="as-more-error">
              The next page could not be read: <code>{state.error.code}</code> {state.error.message}
            </p>
          )}
          {loaded > 0 && (
            <div className="as-more-row">
              <button type="button" onClick={() => void more()} disabled={!hasMore || state.loading !== null} data-testid="as-load-more">
                {state.loading === 'more' ? 'Loading…' : hasMore ? 'Load more' : 'All loaded'}
              </button>
              <span className="muted">pages of 200, in the server’s order</span>
            </div>
          )}
        </section>

        {selected && repo && branch && (
          <AssetDetail
            key={selected.id}
            asset={selected}
            repository={repo.name}
            branch={branch.name}
            revision={selectedRevision}
            commits={commitMap}
            now={now}
            onOpen={open}
            onClose={() => setSelected(null)}
            onExport={(a) => setExportFor({ asset: a })}
          />
        )}
      </div>

      {exportFor && repo && branch && <ExportDialog repository={repo.name} branch={branch.name} asset={exportFor.asset} onClose={() => setExportFor(null)} />}
      {importState && (
        <ImportDialog
          state={importState}
          onState={setImportState}
          onImported={afterImport}
          onClose={() => {
            setImportState(null);
            fileInput.current?.focus();
          }}
        />
      )}
    </div>
  );
}

