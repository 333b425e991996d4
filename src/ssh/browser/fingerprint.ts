// Comparing host key fingerprints as people write them. Pure, so the page and the worker share it.

/** "SHA256:abc=" and "sha256:abc" name the same key; the base64 itself is case-sensitive. */
export function sameFingerprint(a: string, b: string): boolean {
  const norm = (f: string) => f.trim().replace(/^sha256:/i, '').replace(/=+$/, '');
  return norm(a) === norm(b);
}
