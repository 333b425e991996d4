// Schema versions, applied in order; PRAGMA user_version records how many have run.
// Never edit a released entry: add a new one.
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'contributor', 'reader')),
    created_at TEXT NOT NULL
  );

  CREATE TABLE signin_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL
  );

  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
  );

  CREATE TABLE resources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    ports_json TEXT NOT NULL,
    ssh_fp TEXT,
    rdp_fp TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );

  -- No foreign key to resources: a link outlives its resource, for the audit trail.
  CREATE TABLE links (
    id TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    resource_id TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
  );
  CREATE INDEX links_resource ON links(resource_id);

  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    link_id TEXT,
    resource_id TEXT,
    resource_name TEXT,
    protocol TEXT,
    port INTEGER,
    client_address TEXT,
    outcome TEXT NOT NULL,
    detail TEXT,
    bytes_up INTEGER,
    bytes_down INTEGER,
    duration_ms INTEGER
  );
  `,
  // 2: an audit entry may stand for several like events (refused attempts are aggregated).
  `
  ALTER TABLE audit ADD COLUMN count INTEGER NOT NULL DEFAULT 1 CHECK (count > 0);
  `,
];
