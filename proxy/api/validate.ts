// Validation at the edge: each check names the field it refuses, in a sentence.
import { checkAddress } from '../../src/shared/address.ts';
import type { Protocol, ResourceInput, Role } from '../../src/shared/api.ts';
import { ApiError } from '../http/json.ts';

export type Body = Record<string, unknown>;

export function asObject(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('bad-request', 'The request body must be a JSON object.');
  }
  return body as Body;
}

export function text(body: Body, field: string, label: string, max = 200): string {
  const v = body[field];
  if (typeof v !== 'string' || v.trim() === '') throw new ApiError('bad-request', `${label} is required.`, field);
  const t = v.trim();
  if (t.length > max) throw new ApiError('bad-request', `${label} must be at most ${max} characters.`, field);
  if (/[\u0000-\u001f\u007f]/.test(t)) throw new ApiError('bad-request', `${label} contains control characters.`, field);
  return t;
}

export function stringList(body: Body, field: string, label: string, max: number): string[] {
  const v = body[field];
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x.length > 0 && x.length < 2048)) {
    throw new ApiError('bad-request', `${label} must be a non-empty list.`, field);
  }
  if (v.length > max) throw new ApiError('bad-request', `${label} may list at most ${max} entries at once.`, field);
  return [...new Set(v as string[])];
}

export function role(body: Body): Role {
  const v = body.role;
  if (v !== 'owner' && v !== 'contributor' && v !== 'reader') {
    throw new ApiError('bad-request', 'Role must be owner, contributor or reader.', 'role');
  }
  return v;
}

/** A host name, or an IPv4/IPv6 literal (bare or in brackets, stored bare): src/shared/address.ts. */
function address(body: Body): string {
  const checked = checkAddress(text(body, 'address', 'Address', 253));
  if (!checked.ok) throw new ApiError('bad-request', checked.message, 'address');
  return checked.host;
}

function ports(body: Body): ResourceInput['ports'] {
  const v = body.ports;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ApiError('bad-request', 'Choose at least one protocol (SSH or RDP).', 'ports');
  }
  const out: ResourceInput['ports'] = {};
  for (const [proto, list] of Object.entries(v)) {
    if (proto !== 'ssh' && proto !== 'rdp') {
      throw new ApiError('bad-request', `Unknown protocol "${proto}"; use ssh or rdp.`, 'ports');
    }
    const label = proto.toUpperCase();
    if (!Array.isArray(list) || list.length === 0 || list.length > 16) {
      throw new ApiError('bad-request', `${label} needs between 1 and 16 ports.`, `ports.${proto}`);
    }
    for (const p of list) {
      if (!Number.isInteger(p) || p < 1 || p > 65535) {
        throw new ApiError('bad-request', `${label} port "${p}" is not a port number (1–65535).`, `ports.${proto}`);
      }
    }
    out[proto as Protocol] = [...new Set(list as number[])];
  }
  if (!out.ssh && !out.rdp) throw new ApiError('bad-request', 'Choose at least one protocol (SSH or RDP).', 'ports');
  return out;
}

function optionalFingerprint(body: Body, field: string, pattern: RegExp, example: string, normalise = (s: string) => s) {
  const v = body[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new ApiError('bad-request', `The fingerprint must be text like ${example}.`, field);
  const n = normalise(v.trim());
  if (!pattern.test(n)) throw new ApiError('bad-request', `The fingerprint must look like ${example}.`, field);
  return n;
}

/** RDP certificate fingerprints are accepted as OpenSSL prints them (AB:CD:…) and stored as sha256:abcd… */
function normaliseCertFingerprint(s: string): string {
  const hex = s.replace(/^sha256[:=]?/i, '').replace(/:/g, '').toLowerCase();
  return `sha256:${hex}`;
}

export function resourceInput(raw: unknown): ResourceInput {
  const body = asObject(raw);
  return {
    name: text(body, 'name', 'Name', 100),
    address: address(body),
    ports: ports(body),
    sshHostKeyFingerprint: optionalFingerprint(body, 'sshHostKeyFingerprint', /^SHA256:[A-Za-z0-9+/]{43}$/,
      '"SHA256:" followed by 43 characters, as ssh-keygen -l prints it'),
    rdpCertFingerprint: optionalFingerprint(body, 'rdpCertFingerprint', /^sha256:[0-9a-f]{64}$/,
      'a SHA-256 fingerprint of 64 hexadecimal digits', normaliseCertFingerprint),
  };
}
