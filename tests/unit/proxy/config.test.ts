// Configuration: defaults, environment, flags, and clear refusals.
import { describe, expect, it } from 'vitest';
import { DEFAULTS, loadConfig } from '../../../proxy/config/config.ts';
import { newToken, sameSecret } from '../../../proxy/store/tokens.ts';
import { extractToken, looksLikeToken, resourceInput } from '../../../src/shared/rules/validate.ts';

describe('loadConfig', () => {
  it('uses the embedded defaults', () => {
    const { config } = loadConfig([], {});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, maxLinks: 500, maxInflight: 50 });
    expect(config.dataDir.endsWith('/data')).toBe(true);
    expect(DEFAULTS.port).toBe(8080);
  });

  it('lets flags override the environment', () => {
    const { config } = loadConfig(['--port', '9001', '--allow-origin', 'https://a.example'], {
      POSTERN_PORT: '9000', POSTERN_MAX_LINKS: '7', POSTERN_ALLOW_ORIGINS: 'https://b.example',
    });
    expect(config.port).toBe(9001);
    expect(config.maxLinks).toBe(7);
    expect(config.allowedOrigins.sort()).toEqual(['https://a.example', 'https://b.example']);
  });

  it('explains what is wrong', () => {
    expect(() => loadConfig(['--port', 'abc'], {})).toThrow(/--port must be a whole number/);
    expect(() => loadConfig(['--prot', '1'], {})).toThrow(/Unknown option "--prot"/);
    expect(() => loadConfig(['--tls-cert', 'c.pem'], {})).toThrow(/go together/);
    expect(() => loadConfig([], { POSTERN_MAX_LINKS: '-1' })).toThrow(/POSTERN_MAX_LINKS/);
  });
});

describe('tokens', () => {
  it('are 256-bit base64url values, distinct, compared by value', () => {
    const a = newToken();
    const b = newToken();
    expect(looksLikeToken(a)).toBe(true);
    expect(a).not.toBe(b);
    expect(sameSecret(a, a.slice())).toBe(true);
    expect(sameSecret(a, b)).toBe(false);
    expect(sameSecret(a, a + 'x')).toBe(false);
  });

  it('are found inside pasted link URLs', () => {
    const t = newToken();
    expect(extractToken(`  https://host/app/#/l/${t}\n`)).toBe(t);
    expect(extractToken(t)).toBe(t);
  });
});

describe('resourceInput', () => {
  it('normalises an RDP fingerprint as OpenSSL prints it', () => {
    const colons = Array.from({ length: 32 }, () => 'AB').join(':');
    const r = resourceInput({ name: ' db ', address: '[::1]', ports: { rdp: [3389, 3389, 3390] }, rdpCertFingerprint: `sha256 Fingerprint=${colons}`.replace('sha256 Fingerprint=', 'sha256:') });
    expect(r).toMatchObject({ name: 'db', address: '::1', ports: { rdp: [3389, 3390] }, rdpCertFingerprint: 'sha256:' + 'ab'.repeat(32) });
  });
});
