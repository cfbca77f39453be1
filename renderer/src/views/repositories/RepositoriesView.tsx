/**
 * Repositories on the server: each with the server's default AutoPull (a checkbox that says "pending…" until the
 * server confirms the Set), its branches, and the selected branch's history (newest first) with tags and the machines
 * whose workspaces are at each commit. Actions: create a repository, create a branch from a commit, tag a commit
 * (their forms in dialogs.tsx), remove a tag.
 */
import { useMemo, useState } from 'react';
import type { TCommit } from '../../../../shared/assethub/states.ts';
import { attempt, offerProps, setRepositoryAutoPull, untagCommit, useOffer, useServiceOffer, usePendingSet } from '../../commands/index.ts';
import { NotOffered } from '../../components/NotOffered.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { VirtualList } from '../../components/VirtualList.tsx';
import { SERVER_NAME, serverOf, shortId } from '../../lib/selectors.ts';
import { usePanel } from '../../store/panel.ts';
import { useNow } from '../../lib/useNow.ts';
import { RepoName } from '../../components/RepoName.tsx';
import { timeTexts } from '../../lib/time.ts';
import { CreateBranchDialog, CreateRepositoryDialog, TagDialog } from './dialogs.tsx';
import { machinesAtCommits } from './model.ts';
import { repositoriesOf } from '../../lib/repositories.ts';
import './repositories.css';

const ROW_HEIGHT = 58;


// ---- AutoPull ----

function AutoPullToggle({ repo, value }: { repo: string; value: boolean | undefined }) {
  const { shown, busy, pending, request } = usePendingSet(value, {
    send: (want: boolean) => setRepositoryAutoPull(repo, want),
    failed: () => `AutoPull for ${repo} was not changed`,
  });
  if (value === undefined && !pending) return <span className="repo-autopull muted" title="The server has not reported this repository's AutoPull yet">AutoPull —</span>;
  return (
    <label className="repo-autopull" title="The server's default AutoPull for this repository: workspaces without their own setting follow it">
      <input
        type="checkbox"
        checked={shown === true}
        disabled={busy}
        aria-busy={busy}
        onChange={(e) => void request(e.target.checked)}
        data-testid="repo-autopull"
      />
      <span>AutoPull</span>
      {busy && <span className="repo-pending" data-testid="repo-autopull-pending">pending…</span>}
    </label>
  );
}

// ---- the history ----

interface CommitRowProps {
  commit: TCommit;
  selected: boolean;
  now: number;
  machines: Array<{ machine: string; workspace: string }>;
  onSelect(): void;
  onTag(): void;
  onUntag(tag: string): void;
}

function CommitRow({ commit, selected, now, machines, onSelect, onTag, onUntag }: CommitRowProps) {
  const time = timeTexts(commit.CreatedAt, now);
  const tagOffer = offerProps(useOffer(SERVER_NAME, 'TagCommit'));
  const untagOffer = offerProps(useOffer(SERVER_NAME, 'UntagCommit'));
  return (
    <div className={`repo-commit${selected ? ' repo-commit-selected' : ''}`} data-testid="repo-commit" data-commit={commit.ID}>
      <button type="button" className="repo-commit-id" aria-pressed={selected} onClick={onSelect} title={`Select commit ${commit.ID}`}>
        {shortId(commit.ID)}
      </button>
      <div className="repo-commit-main">
        <div className="repo-commit-comment" title={commit.Comment}>{commit.Comment || <span className="muted">(no comment)</span>}</div>
        <div className="repo-commit-meta">
          <span className="repo-author">{commit.Author}</span>
          <span className="repo-when" title={commit.CreatedAt}>
            {time.relative} · <time dateTime={commit.CreatedAt}>{time.absolute}</time>
          </span>
          <span className="repo-chips" aria-label="Tags">
            {commit.Tags.map((tag) => (
              <span key={tag} className="repo-tag" data-testid="repo-tag">
                <span className="repo-tag-text">{tag}</span>
                <button type="button" className="repo-chip-x" onClick={() => onUntag(tag)} disabled={untagOffer.disabled} aria-label={`Remove tag ${tag}`} title={untagOffer.title ?? `Remove tag ${tag}`}>×</button>
              </span>
            ))}
            <button type="button" className="repo-add-tag" onClick={onTag} disabled={tagOffer.disabled} title={tagOffer.title} aria-label={`Tag commit ${shortId(commit.ID)}`} data-testid="repo-tag-add">+ Tag</button>
          </span>
        </div>
      </div>
      <div className="repo-chips repo-machines" role="group" aria-label="Machines at this commit">
        {machines.map((m) => (
          <span key={`${m.machine}/${m.workspace}`} className="repo-machine" title={`${m.machine}: workspace ${m.workspace} is at this commit`} data-testid="repo-machine">
            {m.machine}
          </span>
        ))}
      </div>
    </div>
  );
}

// ---- the view ----

type Dialog =
  | { kind: 'repository' }
  | { kind: 'branch'; commit: TCommit }
  | { kind: 'tag'; commit: TCommit }
  | { kind: 'untag'; commit: TCommit; tag: string }
  | null;

/** The repository actions, by method, in the operator's words. */
const ACTIONS = { CreateRepository: 'Create repository', CreateBranch: 'Create branch', TagCommit: 'Tag', UntagCommit: 'Remove tag' } as const;

export function RepositoriesView() {
  const data = usePanel((s) => s.data);
  const serverOffer = useServiceOffer(SERVER_NAME);
  const now = useNow(10_000);
  const repos = useMemo(() => repositoriesOf(data), [data]);
  const [repoName, setRepoName] = useState<string | null>(null);
  const [branchName, setBranchName] = useState<string | null>(null);
  const [commitId, setCommitId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const createOffer = offerProps(useOffer(SERVER_NAME, 'CreateRepository'));
  const branchOffer = offerProps(useOffer(SERVER_NAME, 'CreateBranch'));

  const repo = repos.find((r) => r.name === repoName) ?? repos[0];
  const branch = repo?.branches.find((b) => b.name === branchName) ?? repo?.branches[0];
  const commits = useMemo(() => (branch ? [...branch.commits].reverse() : []), [branch]);
  const selectedCommit = commits.find((c) => c.ID === commitId) ?? commits[0];
  const at = useMemo(() => (repo && branch ? machinesAtCommits(data, repo.name, branch.name) : new Map()), [data, repo, branch]);

  if (!data) return <p className="muted">Waiting for the panel engine…</p>;
  const serverKnown = serverOf(data).PersistentState !== undefined || serverOf(data).State !== undefined;

  return (
    <div className="repo-view">
      <div className="repo-head">
        <h2 className="repo-title">Repositories</h2>
        <button type="button" className="primary" onClick={() => setDialog({ kind: 'repository' })} disabled={createOffer.disabled} title={createOffer.title} data-testid="repo-create">Create repository…</button>
      </div>
      <NotOffered service={SERVER_NAME} offer={serverOffer} actions={ACTIONS} />
      <div className="repo-columns">
        <section className="card repo-col" aria-label="Repositories">
          <h3 className="repo-col-title">Repositories <span className="muted">({repos.length})</span></h3>
          {!serverKnown && <p className="muted">The server's repositories have not been read yet.</p>}
          {serverKnown && repos.length === 0 && <p className="muted">The server has no repositories.</p>}
          <ul className="repo-list" data-testid="repo-list">
            {repos.map((r) => (
              <li key={r.name} className={`repo-item${r === repo ? ' repo-item-selected' : ''}`} data-testid="repo-item" data-repo={r.name}>
                <button
                  type="button"
                  className="repo-select"
                  aria-pressed={r === repo}
                  onClick={() => {
                    setRepoName(r.name);
                    setBranchName(null);
                    setCommitId(null);
                  }}
                >
                  <RepoName name={r.name} className="repo-name" />
                  <span className="repo-sub muted">{r.branches.length} {r.branches.length === 1 ? 'branch' : 'branches'}</span>
                </button>
                <AutoPullToggle repo={r.name} value={r.autoPull} />
              </li>
            ))}
          </ul>
        </section>
        <section className="card repo-col repo-col-narrow" aria-label="Branches">
          <h3 className="repo-col-title">Branches</h3>
          {!repo && <p className="muted">Select a repository.</p>}
          {repo && repo.branches.length === 0 && <p className="muted">No branches.</p>}
          <ul className="repo-list" data-testid="repo-branches">
            {repo?.branches.map((b) => (
              <li key={b.name} className={`repo-item${b === branch ? ' repo-item-selected' : ''}`}>
                <button
                  type="button"
                  className="repo-select"
                  aria-pressed={b === branch}
                  onClick={() => {
                    setBranchName(b.name);
                    setCommitId(null);
                  }}
                  data-testid="repo-branch"
                >
                  <span className="repo-name">{b.name}</span>
                  <span className="repo-sub muted">{b.commits.length} {b.commits.length === 1 ? 'commit' : 'commits'}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
        <section className="card repo-col repo-col-wide" aria-label="History">
          <div className="repo-history-head">
            <div className="repo-history-title">
              <h3 className="repo-col-title">History</h3>
              {branch && repo && (
                <span className="repo-history-of">
                  <RepoName name={repo.name} /> · <strong>{branch.name}</strong> · newest first
                </span>
              )}
            </div>
            <div className="repo-actions">
              <button type="button" disabled={!selectedCommit || branchOffer.disabled} title={branchOffer.title} onClick={() => selectedCommit && setDialog({ kind: 'branch', commit: selectedCommit })} data-testid="repo-branch-create">
                Create branch from {selectedCommit ? shortId(selectedCommit.ID) : 'commit'}…
              </button>
            </div>
          </div>
          {branch ? (
            <VirtualList
              items={commits}
              rowHeight={ROW_HEIGHT}
              height={Math.min(560, commits.length * ROW_HEIGHT + 2)}
              label={`Commits on ${branch.name}, newest first`}
              testId="repo-commits"
              empty="No commits on this branch."
              render={(c) => (
                <CommitRow
                  commit={c}
                  now={now}
                  selected={c.ID === selectedCommit?.ID}
                  machines={at.get(c.ID) ?? []}
                  onSelect={() => setCommitId(c.ID)}
                  onTag={() => setDialog({ kind: 'tag', commit: c })}
                  onUntag={(tag) => setDialog({ kind: 'untag', commit: c, tag })}
                />
              )}
            />
          ) : (
            <p className="muted">Select a branch to see its history.</p>
          )}
        </section>
      </div>

      {dialog?.kind === 'repository' && (
        <CreateRepositoryDialog
          onClose={() => setDialog(null)}
          onCreated={(name) => {
            setDialog(null);
            setRepoName(name);
            setBranchName(null);
            setCommitId(null);
          }}
        />
      )}
      {dialog?.kind === 'branch' && repo && (
        <CreateBranchDialog
          repo={repo.name}
          commit={dialog.commit}
          onClose={() => setDialog(null)}
          onCreated={(name) => {
            setDialog(null);
            setBranchName(name);
            setCommitId(null);
          }}
        />
      )}
      {dialog?.kind === 'tag' && repo && branch && <TagDialog repo={repo.name} branch={branch.name} commit={dialog.commit} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'untag' && repo && branch && (
        <ConfirmDialog
          title="Remove tag"
          confirmLabel="Remove tag"
          danger
          onCancel={() => setDialog(null)}
          onConfirm={() => {
            const { commit, tag } = dialog;
            setDialog(null);
            void attempt(untagCommit({ Repository: repo.name, Branch: branch.name, Commit: commit.ID, Tag: tag }), {
              failure: `Tag ${tag} not removed`,
              success: `Removed tag ${tag}`,
            });
          }}
        >
          <p>
            Remove the tag <strong className="repo-strong">{dialog.tag}</strong> from commit <code>{shortId(dialog.commit.ID)}</code> “{dialog.commit.Comment}”?
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
