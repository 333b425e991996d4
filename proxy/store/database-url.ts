// A PostgreSQL URL usually carries a password, so the proxy checks it here and only ever prints it
// redacted: in the startup line, in errors, and in anything else that names the database.

const SECRET_PARAMS = ['password', 'sslpassword'];

/** The URL with its password (in the user part or the query) replaced by ***. */
export function redactDatabaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '(a database URL that is not a valid URL)';
  }
  if (url.password) url.password = '***';
  for (const name of SECRET_PARAMS) if (url.searchParams.has(name)) url.searchParams.set(name, '***');
  return url.toString().replace(/%2A%2A%2A/g, '***');
}

/** Refuses anything but a postgres:// or postgresql:// URL, naming the setting but never echoing a secret. */
export function checkDatabaseUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${source} must be a URL like postgres://user:password@host:5432/database.`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`${source} must start with postgres:// (got ${url.protocol}//…).`);
  }
  if (!url.hostname && !url.searchParams.has('host')) {
    throw new Error(`${source} names no database host: ${redactDatabaseUrl(raw)}`);
  }
  return raw;
}
