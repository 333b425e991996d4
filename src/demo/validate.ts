// The demo's checks on what the console sends, with the same sentences and field names as the proxy
// (proxy/api/validate.ts), so a form behaves the same against either.
import { ApiError } from '../api/client';
import { checkAddress } from '../shared/rules/address.ts';
import type { Protocol, ResourceInput, Role } from '../shared/api';

export const bad = (message: string, field?: string) => new ApiError(400, 'bad-request', message, field);

export function text(v: unknown, field: string, label: string, max = 200): string {
  if (typeof v !== 'string' || v.trim() === '') throw bad(`${label} is required.`, field);
  const t = v.trim();
  if (t.length > max) throw bad(`${label} must be at most ${max} characters.`, field);
  if (/[\u0000-\u001f\u007f]/.test(t)) throw bad(`${label} contains control characters.`, field);
  return t;
}

export function stringList(v: unknown, field: string, label: string, max: number): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x.length > 0 && x.length < 2048)) {
    throw bad(`${label} must be a non-empty list.`, field);
  }
  if (v.length > max) throw bad(`${label} may list at most ${max} entries at once.`, field);
  return [...new Set(v as string[])];
}

export function role(v: unknown): Role {
  if (v !== 'owner' && v !== 'contributor' && v !== 'reader') throw bad('Role must be owner, contributor or reader.', 'role');
  return v;
}

/** The proxy's rule, from the same module (src/shared/rules/address.ts). */
function address(v: unknown): string {
  const checked = checkAddress(text(v, 'address', 'Address', 253));
  if (!checked.ok) throw bad(checked.message, 'address');
  return checked.host;
}

function ports(v: unknown): ResourceInput['ports'] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('Choose at least one protocol (SSH or RDP).', 'ports');
  const out: ResourceInput['ports'] = {};
  for (const [proto, list] of Object.entries(v)) {
    if (proto !== 'ssh' && proto !== 'rdp') throw bad(`Unknown protocol "${proto}"; use ssh or rdp.`, 'ports');
    const label = proto.toUpperCase();
    if (!Array.isArray(list) || list.length === 0 || list.length > 16) throw bad(`${label} needs between 1 and 16 ports.`, `ports.${proto}`);
    for (const p of list) {
      if (!Number.isInteger(p) || p < 1 || p > 65535) throw bad(`${label} port "${p}" is not a port number (1–65535).`, `ports.${proto}`);
    }
    out[proto as Protocol] = [...new Set(list as number[])];
  }
  if (!out.ssh && !out.rdp) throw bad('Choose at least one protocol (SSH or RDP).', 'ports');
  return out;
}

function fingerprint(v: unknown, field: string, pattern: RegExp, example: string, normalise = (s: string) => s) {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw bad(`The fingerprint must be text like ${example}.`, field);
  const n = normalise(v.trim());
  if (!pattern.test(n)) throw bad(`The fingerprint must look like ${example}.`, field);
  return n;
}

export function resourceInput(r: ResourceInput): ResourceInput {
  return {
    name: text(r.name, 'name', 'Name', 100),
    address: address(r.address),
    ports: ports(r.ports),
    sshHostKeyFingerprint: fingerprint(r.sshHostKeyFingerprint, 'sshHostKeyFingerprint', /^SHA256:[A-Za-z0-9+/]{43}$/,
      '"SHA256:" followed by 43 characters, as ssh-keygen -l prints it'),
    rdpCertFingerprint: fingerprint(r.rdpCertFingerprint, 'rdpCertFingerprint', /^sha256:[0-9a-f]{64}$/,
      'a SHA-256 fingerprint of 64 hexadecimal digits', (s) => `sha256:${s.replace(/^sha256[:=]?/i, '').replace(/:/g, '').toLowerCase()}`),
  };
}

/** A token as it may be pasted: bare, or inside a full link URL ending in #/l/<token>. */
export function extractToken(input: string): string {
  const t = input.trim();
  const i = t.lastIndexOf('#/l/');
  return i >= 0 ? t.slice(i + 4) : t;
}

export const looksLikeToken = (s: string) => /^[A-Za-z0-9_-]{43}$/.test(s);

/** 32 random bytes in base64url: 43 characters, the proxy's token shape. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
