import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificateFingerprint, normalizeFingerprint } from '../../../proxy/rdp/target.ts';

const hex = createHash('sha256').update('certificate').digest('hex');
const colons = hex.toUpperCase().match(/../g)!.join(':');

describe('certificate fingerprints', () => {
  it('are "sha256:" and the lowercase hex of the DER', () => {
    expect(certificateFingerprint(new TextEncoder().encode('certificate'))).toBe(`sha256:${hex}`);
  });

  it('accept the forms an admin may paste', () => {
    for (const form of [`sha256:${hex}`, `SHA256:${hex.toUpperCase()}`, hex, colons, `sha256 Fingerprint=${colons}`, `  sha-256: ${colons} `]) {
      expect(normalizeFingerprint(form)).toBe(`sha256:${hex}`);
    }
  });

  it('refuse anything else', () => {
    for (const bad of ['', 'sha256:', `sha1:${hex}`, hex.slice(2), `${hex}00`, `sha256:${hex.slice(1)}g`, `md5 ${colons}`]) {
      expect(normalizeFingerprint(bad)).toBeUndefined();
    }
  });
});
