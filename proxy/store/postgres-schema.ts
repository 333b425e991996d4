// Brings a PostgreSQL database to the latest schema. Several proxies may start at once against one
// database: a transaction-level advisory lock lets exactly one migrate while the others wait, then
// find the work done. Every migration runs in the same transaction as the version bump.
import type pg from 'pg';
import { PG_MIGRATIONS } from './migrations.ts';

/** Advisory lock keys (pg_advisory_xact_lock(namespace, key)); they are scoped to one database. */
export const LOCK_NAMESPACE = 0x50737472; // "Pstr"
export const LOCKS = { migrate: 1, linkCount: 2, owners: 3 } as const;

export async function migrate(client: pg.ClientBase): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, LOCKS.migrate]);
    await client.query('CREATE TABLE IF NOT EXISTS postern_schema (version integer NOT NULL)');
    const found = (await client.query('SELECT version FROM postern_schema')).rows[0]?.version as number | undefined;
    if (found === undefined) await client.query('INSERT INTO postern_schema (version) VALUES (0)');
    const version = found ?? 0;
    if (version > PG_MIGRATIONS.length) {
      throw new Error(`The database was set up by a newer Postern (schema ${version}, this one knows ${PG_MIGRATIONS.length}); ` +
        'upgrade this proxy before pointing it at that database.');
    }
    for (let v = version; v < PG_MIGRATIONS.length; v++) await client.query(PG_MIGRATIONS[v]);
    if (version < PG_MIGRATIONS.length) await client.query('UPDATE postern_schema SET version = $1', [PG_MIGRATIONS.length]);
    await client.query('COMMIT');
    return PG_MIGRATIONS.length;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
