// The fixed vectors agree with a second, independent implementation of the format (Python's hashlib and
// pyca/cryptography, Debian package python3-cryptography), so they pin the documented layout and not
// merely whatever our code happened to write.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { VECTOR } from './vectors';

it('an independent Python writer produces the same KEK, header and sealed secret', () => {
  const out = execFileSync('python3', [join(__dirname, 'xcheck.py')], { encoding: 'utf8' });
  const got = JSON.parse(out) as { kek: string; header: string; sealed: string };
  expect(got.kek).toBe(VECTOR.kekHex);
  expect(got.header).toBe(VECTOR.headerHex);
  expect(got.sealed).toBe(VECTOR.sealedHex);
});
