// Schema versions, applied in order: SQLite's (sqlite.ts; PRAGMA user_version records how many have
// run) and PostgreSQL's (postgres-schema.ts; postern_schema records it). One list of tables, written in
// each database's types. Never edit a released entry: add a new one.

/** The words in which the two schemas differ. */
interface Dialect {
  text: string;
  /** An instant: ISO 8601 text in SQLite, timestamptz in PostgreSQL. */
  time: string;
  integer: string;
  /** Counts that may pass 2^31 (bytes, milliseconds). */
  bigint: string;
  /** The resource's ports: a JSON text column in SQLite, jsonb in PostgreSQL. */
  ports: string;
  /** A link's policy (LinkPolicy): JSON text in SQLite, jsonb in PostgreSQL. */
  policy: string;
  /**
   * A column before the link's id. PostgreSQL's seq keeps links of one batch (same created_at) in the
   * order they were made; SQLite's rowid does that already.
   */
  linkSeq: string;
  auditId: string;
}

const SQLITE: Dialect = {
  text: 'TEXT',
  time: 'TEXT',
  integer: 'INTEGER',
  bigint: 'INTEGER',
  ports: 'ports_json TEXT',
  policy: 'policy_json TEXT',
  linkSeq: '',
  auditId: 'INTEGER PRIMARY KEY AUTOINCREMENT',
};

const POSTGRES: Dialect = {
  text: 'text',
  time: 'timestamptz',
  integer: 'integer',
  bigint: 'bigint',
  ports: 'ports jsonb',
  policy: 'policy jsonb',
  linkSeq: `
    seq bigint GENERATED ALWAYS AS IDENTITY,`,
  auditId: 'bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
};

function migrations({ text, time, integer, bigint, ports, policy, linkSeq, auditId }: Dialect): readonly string[] {
  return [
    `
  CREATE TABLE settings (key ${text} PRIMARY KEY, value ${text} NOT NULL);

  CREATE TABLE users (
    id ${text} PRIMARY KEY,
    name ${text} NOT NULL UNIQUE,
    role ${text} NOT NULL CHECK (role IN ('owner', 'contributor', 'reader')),
    created_at ${time} NOT NULL
  );

  CREATE TABLE signin_tokens (
    token_hash ${text} PRIMARY KEY,
    user_id ${text} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at ${time} NOT NULL
  );

  CREATE TABLE sessions (
    token_hash ${text} PRIMARY KEY,
    user_id ${text} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at ${time} NOT NULL
  );

  CREATE TABLE resources (
    id ${text} PRIMARY KEY,
    name ${text} NOT NULL,
    address ${text} NOT NULL,
    ${ports} NOT NULL,
    ssh_fp ${text},
    rdp_fp ${text},
    created_at ${time} NOT NULL,
    updated_at ${time} NOT NULL
  );

  -- No foreign key to resources: a link outlives its resource, for the audit trail.
  CREATE TABLE links (${linkSeq}
    id ${text} PRIMARY KEY,
    token ${text} NOT NULL,
    token_hash ${text} NOT NULL UNIQUE,
    resource_id ${text} NOT NULL,
    resource_name ${text} NOT NULL,
    created_at ${time} NOT NULL,
    created_by ${text} NOT NULL
  );
  CREATE INDEX links_resource ON links(resource_id);

  CREATE TABLE audit (
    id ${auditId},
    at ${time} NOT NULL,
    action ${text} NOT NULL,
    actor ${text} NOT NULL,
    link_id ${text},
    resource_id ${text},
    resource_name ${text},
    protocol ${text},
    port ${integer},
    client_address ${text},
    outcome ${text} NOT NULL,
    detail ${text},
    bytes_up ${bigint},
    bytes_down ${bigint},
    duration_ms ${bigint}
  );
  `,
    // 2: an audit entry may stand for several like events (refused attempts are aggregated).
    `
  ALTER TABLE audit ADD COLUMN count ${integer} NOT NULL DEFAULT 1 CHECK (count > 0);
  `,
    // 3: a link's label, its policy (expiry, use limit, weekly hours) and its successful uses so far.
    `
  ALTER TABLE links ADD COLUMN label ${text};
  ALTER TABLE links ADD COLUMN ${policy};
  ALTER TABLE links ADD COLUMN uses ${integer} NOT NULL DEFAULT 0 CHECK (uses >= 0);
  `,
    // 4: a link's access code (only its slow hash) and the instants of recent wrong codes (a JSON
    // array of ISO instants, for the lockout).
    `
  ALTER TABLE links ADD COLUMN code_hash ${text};
  ALTER TABLE links ADD COLUMN wrong_codes ${text};
  `,
    // 5: a link bound to its first visitor's passkey (the credential as JSON, and the ceremony under
    // way), and the passes a proven passkey earns (hashes only), which tunnels carry like a code.
    `
  ALTER TABLE links ADD COLUMN passkey ${text};
  ALTER TABLE links ADD COLUMN passkey_challenge ${text};
  CREATE TABLE link_passes (
    pass_hash ${text} PRIMARY KEY,
    link_id ${text} NOT NULL,
    expires_at ${time} NOT NULL
  );
  CREATE INDEX link_passes_link ON link_passes(link_id);
  `,
    // 6: a session's files and their bytes each way, and who counted them: the proxy (RDP's clipboard)
    // or the visitor's page (SSH's SFTP, which is end to end). All five are set together, or none.
    `
  ALTER TABLE audit ADD COLUMN files_up ${bigint} CHECK (files_up >= 0);
  ALTER TABLE audit ADD COLUMN files_down ${bigint} CHECK (files_down >= 0);
  ALTER TABLE audit ADD COLUMN file_bytes_up ${bigint} CHECK (file_bytes_up >= 0);
  ALTER TABLE audit ADD COLUMN file_bytes_down ${bigint} CHECK (file_bytes_down >= 0);
  ALTER TABLE audit ADD COLUMN files_counted_by ${text} CHECK (files_counted_by IN ('proxy', 'client'));
  `,
  ];
}

export const MIGRATIONS = migrations(SQLITE);
export const PG_MIGRATIONS = migrations(POSTGRES);
