// PostgreSQL schema versions, applied in order by postgres-schema.ts; postern_schema records how many
// have run. The same tables as the SQLite schema (migrations.ts), in PostgreSQL's types. Never edit
// a released entry: add a new one.
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE settings (key text PRIMARY KEY, value text NOT NULL);

  CREATE TABLE users (
    id text PRIMARY KEY,
    name text NOT NULL UNIQUE,
    role text NOT NULL CHECK (role IN ('owner', 'contributor', 'reader')),
    created_at timestamptz NOT NULL
  );

  CREATE TABLE signin_tokens (
    token_hash text PRIMARY KEY,
    user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
  );

  CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL
  );

  CREATE TABLE resources (
    id text PRIMARY KEY,
    name text NOT NULL,
    address text NOT NULL,
    ports jsonb NOT NULL,
    ssh_fp text,
    rdp_fp text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
  );

  -- No foreign key to resources: a link outlives its resource, for the audit trail.
  -- seq keeps links of one batch (same created_at) in the order they were made.
  CREATE TABLE links (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    id text PRIMARY KEY,
    token text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    resource_id text NOT NULL,
    resource_name text NOT NULL,
    created_at timestamptz NOT NULL,
    created_by text NOT NULL
  );
  CREATE INDEX links_resource ON links(resource_id);

  CREATE TABLE audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL,
    action text NOT NULL,
    actor text NOT NULL,
    link_id text,
    resource_id text,
    resource_name text,
    protocol text,
    port integer,
    client_address text,
    outcome text NOT NULL,
    detail text,
    bytes_up bigint,
    bytes_down bigint,
    duration_ms bigint
  );
  `,
  // 2: an audit entry may stand for several like events (refused attempts are aggregated).
  `
  ALTER TABLE audit ADD COLUMN count integer NOT NULL DEFAULT 1 CHECK (count > 0);
  `,
];
