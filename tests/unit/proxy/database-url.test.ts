// The --database-url / POSTERN_DATABASE_URL setting: accepted forms, clear refusals, and a password
// that never appears in anything the proxy says about the database.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../proxy/config/config.ts';
import { checkDatabaseUrl, redactDatabaseUrl } from '../../../proxy/store/database-url.ts';

describe('database URL', () => {
  it('is off by default, read from the environment, and overridden by the flag', () => {
    expect(loadConfig([], {}).config.databaseUrl).toBeUndefined();
    const env = { POSTERN_DATABASE_URL: 'postgres://env@db.example/postern' };
    expect(loadConfig([], env).config.databaseUrl).toBe('postgres://env@db.example/postern');
    expect(loadConfig(['--database-url', 'postgresql://flag@db.example:5433/p'], env).config.databaseUrl)
      .toBe('postgresql://flag@db.example:5433/p');
  });

  it('refuses what is not a PostgreSQL URL, naming the setting and never echoing the value', () => {
    expect(() => loadConfig(['--database-url', 'mysql://u:hunter2@db/x'], {})).toThrow(/--database-url must start with postgres:\/\/ \(got mysql:\/\/…\)/);
    expect(() => loadConfig([], { POSTERN_DATABASE_URL: 'hunter2' })).toThrow(/POSTERN_DATABASE_URL must be a URL like postgres:\/\//);
    for (const bad of ['mysql://u:hunter2@db/x', 'not a url hunter2', 'postgres://u:hunter2@/x']) {
      const e = (() => { try { checkDatabaseUrl(bad, 'X'); } catch (x) { return x as Error; } })();
      expect(e?.message, bad).not.toContain('hunter2');
    }
  });

  it('redacts the password wherever it is written', () => {
    expect(redactDatabaseUrl('postgres://ann:s%40cret@db.example:5432/postern')).toBe('postgres://ann:***@db.example:5432/postern');
    expect(redactDatabaseUrl('postgres://ann@db.example/postern?password=s3cret&sslmode=require'))
      .toBe('postgres://ann@db.example/postern?password=***&sslmode=require');
    expect(redactDatabaseUrl('postgres://db.example/postern')).toBe('postgres://db.example/postern');
    expect(redactDatabaseUrl('::s3cret::')).not.toContain('s3cret');
  });
});
