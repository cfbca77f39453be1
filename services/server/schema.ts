/**
 * The server's SQLite schema. A branch's history is a sequence of positions (0 = its root commit); every version of
 * every asset is one `files` row valid from the position that put it until the one that replaced or deleted it
 * (`to_pos`, NULL while current). The snapshot at position p and the delta between two positions are then range
 * queries on indexed columns, whatever the length of the history.
 */
export const SCHEMA_VERSION = 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS repositories (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  auto_pull INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS branches (
  id INTEGER PRIMARY KEY,
  repository_id INTEGER NOT NULL REFERENCES repositories(id),
  name TEXT NOT NULL,
  UNIQUE (repository_id, name)
);
CREATE TABLE IF NOT EXISTS commits (
  id TEXT PRIMARY KEY,
  repository_id INTEGER NOT NULL REFERENCES repositories(id),
  parent TEXT,
  author TEXT NOT NULL,
  comment TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS branch_commits (
  branch_id INTEGER NOT NULL REFERENCES branches(id),
  position INTEGER NOT NULL,
  commit_id TEXT NOT NULL REFERENCES commits(id),
  PRIMARY KEY (branch_id, position)
);
CREATE INDEX IF NOT EXISTS branch_commits_by_commit ON branch_commits (branch_id, commit_id);
CREATE TABLE IF NOT EXISTS tags (
  commit_id TEXT NOT NULL REFERENCES commits(id),
  tag TEXT NOT NULL,
  PRIMARY KEY (commit_id, tag)
);
CREATE TABLE IF NOT EXISTS files (
  branch_id INTEGER NOT NULL REFERENCES branches(id),
  uri TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('file', 'directory')),
  from_pos INTEGER NOT NULL,
  to_pos INTEGER,
  size INTEGER NOT NULL DEFAULT 0,
  hash TEXT,
  chunks TEXT,
  commit_id TEXT NOT NULL REFERENCES commits(id),
  PRIMARY KEY (branch_id, uri, from_pos)
);
CREATE INDEX IF NOT EXISTS files_current ON files (branch_id, to_pos, uri);
CREATE INDEX IF NOT EXISTS files_from ON files (branch_id, from_pos);
CREATE TABLE IF NOT EXISTS claims (
  repository_id INTEGER NOT NULL REFERENCES repositories(id),
  branch TEXT NOT NULL,
  uri TEXT NOT NULL,
  owner TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (repository_id, branch, uri)
);
`;
