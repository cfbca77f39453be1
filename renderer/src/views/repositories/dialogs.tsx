/**
 * The repository actions that ask for something first: create a repository (its name checked as typed), create a
 * branch from a commit, tag a commit. Each sends its command from the form; a refusal stays in the form.
 */
import { useState } from 'react';
import type { TCommit } from '../../../../shared/assethub/states.ts';
import { branchNameProblem, repositoryNameProblem } from '../../../../shared/assethub/names.ts';
import { createBranch, createRepository, submit, tagCommit } from '../../commands/index.ts';
import { FormDialog } from '../../components/FormDialog.tsx';
import { RepoName } from '../../components/RepoName.tsx';
import { shortId } from '../../lib/selectors.ts';

export const NEW_REPOSITORY_PREFIX = '%SYNCED_STORAGE%\\Projects\\';

/** Why Create is not offered yet, in the operator's words; null when it is (the server still has the last word). */
export function createRepositoryProblem(name: string, branch: string): string | null {
  if (!name.startsWith('%SYNCED_STORAGE%')) return 'The name starts with %SYNCED_STORAGE% (where every client keeps it).';
  if (name.trim() === NEW_REPOSITORY_PREFIX.trim()) return 'Give the repository a name after Projects\\.';
  const rule = repositoryNameProblem(name);
  if (rule) return `The name cannot be a folder on every machine: ${rule}.`;
  if (branch.trim() === '') return 'Give the first branch a name.';
  return branchNameProblem(branch) && `The branch name is refused: ${branchNameProblem(branch)}.`;
}

export function CreateRepositoryDialog({ onClose, onCreated }: { onClose(): void; onCreated(name: string): void }) {
  const [name, setName] = useState(NEW_REPOSITORY_PREFIX);
  const [branch, setBranch] = useState('Main');
  const problem = createRepositoryProblem(name, branch);
  return (
    <FormDialog
      title="Create repository"
      submitLabel="Create"
      canSubmit={problem === null}
      why={problem}
      onCancel={onClose}
      testId="repo-create-dialog"
      onSubmit={() => submit(createRepository({ Name: name, Branch: branch.trim() }), { failure: 'Repository not created', success: `Created ${name}` }, () => onCreated(name))}
    >
      <label className="field">
        Name (starts with <code>%SYNCED_STORAGE%</code>)
        <input value={name} onChange={(e) => setName(e.target.value)} spellCheck={false} autoComplete="off" data-testid="repo-create-name" />
      </label>
      <label className="field">
        First branch
        <input value={branch} onChange={(e) => setBranch(e.target.value)} spellCheck={false} autoComplete="off" data-testid="repo-create-branch" />
      </label>
    </FormDialog>
  );
}

export function CreateBranchDialog({ repo, commit, onClose, onCreated }: { repo: string; commit: TCommit; onClose(): void; onCreated(name: string): void }) {
  const [name, setName] = useState('');
  const branch = name.trim();
  return (
    <FormDialog
      title="Create branch"
      submitLabel="Create branch"
      canSubmit={branch !== ''}
      onCancel={onClose}
      testId="repo-branch-dialog"
      onSubmit={() => submit(createBranch({ Repository: repo, Name: branch, From: commit.ID }), { failure: 'Branch not created', success: `Created branch ${branch}` }, () => onCreated(branch))}
    >
      <p className="muted">
        In <RepoName name={repo} />, from commit <code>{shortId(commit.ID)}</code> “{commit.Comment}”.
      </p>
      <label className="field">
        Branch name
        <input value={name} onChange={(e) => setName(e.target.value)} spellCheck={false} autoComplete="off" data-testid="repo-branch-name" />
      </label>
    </FormDialog>
  );
}

export function TagDialog({ repo, branch, commit, onClose }: { repo: string; branch: string; commit: TCommit; onClose(): void }) {
  const [tag, setTag] = useState('');
  const text = tag.trim();
  return (
    <FormDialog
      title="Tag commit"
      submitLabel="Add tag"
      canSubmit={text !== ''}
      onCancel={onClose}
      testId="repo-tag-dialog"
      onSubmit={() => submit(tagCommit({ Repository: repo, Branch: branch, Commit: commit.ID, Tag: text }), { failure: 'Tag not added', success: `Tagged ${shortId(commit.ID)} “${text}”` }, onClose)}
    >
      <p className="muted">
        Commit <code>{shortId(commit.ID)}</code> “{commit.Comment}” on {branch}.
      </p>
      <label className="field">
        Tag
        <input value={tag} onChange={(e) => setTag(e.target.value)} spellCheck={false} autoComplete="off" data-testid="repo-tag-name" />
      </label>
    </FormDialog>
  );
}
