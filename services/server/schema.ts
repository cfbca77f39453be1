/**
 * The server's SQLite schema. A branch's history is a sequence of positions (0 = its root commit); every version of
 * every asset is one `files` row valid from the position that put it until the one that replaced or deleted it
 * (`to_pos`, NULL while current). The snapshot at position p and the delta between two positions are then range
 * queries on indexed columns, whatever the length of the history.
 *
 * Version 2 (asset catalogue, docs/PROTOCOL.md §6): every `files` row also carries what the catalogue filters and
 * orders on (`asset_id`, `asset_kind`, `name`, `parent_id`, and `created_commit`, the commit that began this existence
 * of the URI, carried across its later versions), and the tags, keywords and metadata ImportAssets sets live in their
 * own tables keyed by asset id (not versioned: they follow the asset id across revisions). Older databases are brought
 * up to date by services/server/migrate.ts.
 */
export const SCHEMA_VERSION = 2;

/**
 * The catalogue columns of `files` (version 2). Written the same way in a fresh database and by the migration's
 * `ALTER TABLE … ADD COLUMN` (which needs the defaults), so both have exactly the same table.
 */
export const FILES_CATALOGUE_COLUMNS = [
  "asset_id TEXT NOT NULL DEFAULT ''",
  "asset_kind TEXT NOT NULL DEFAULT ''",
  "name TEXT NOT NULL DEFAULT ''",
  'parent_id TEXT',
  "created_commit TEXT NOT NULL DEFAULT ''",
] as const;

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
  ${FILES_CATALOGUE_COLUMNS.join(',\n  ')},
  PRIMARY KEY (branch_id, uri, from_pos)
);
-- Versions by where they end (NULL: current) and by where they start, each in uri order. Version 2 added the last
-- column(s), so deltas can check positions on the index alone.
CREATE INDEX IF NOT EXISTS files_current ON files (branch_id, to_pos, uri, from_pos);
CREATE INDEX IF NOT EXISTS files_from ON files (branch_id, from_pos, to_pos, uri);
-- Asset catalogue: an asset's versions by id; one type's assets in uri order; a folder's children in uri order.
CREATE INDEX IF NOT EXISTS files_asset ON files (asset_id, from_pos);
CREATE INDEX IF NOT EXISTS files_type ON files (branch_id, asset_kind, uri);
CREATE INDEX IF NOT EXISTS files_parent ON files (parent_id, uri);
CREATE TABLE IF NOT EXISTS asset_tags (
  asset_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (asset_id, tag)
);
CREATE INDEX IF NOT EXISTS asset_tags_by_tag ON asset_tags (tag, asset_id);
CREATE TABLE IF NOT EXISTS asset_keywords (
  asset_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  keyword TEXT NOT NULL,
  PRIMARY KEY (asset_id, keyword)
);
CREATE INDEX IF NOT EXISTS asset_keywords_by_keyword ON asset_keywords (keyword, asset_id);
CREATE TABLE IF NOT EXISTS asset_metadata (
  asset_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  type TEXT,
  PRIMARY KEY (asset_id, name)
);
CREATE INDEX IF NOT EXISTS asset_metadata_by_value ON asset_metadata (name, value, asset_id);
CREATE TABLE IF NOT EXISTS claims (
  repository_id INTEGER NOT NULL REFERENCES repositories(id),
  branch TEXT NOT NULL,
  uri TEXT NOT NULL,
  owner TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (repository_id, branch, uri)
);
`;
