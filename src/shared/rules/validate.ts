// Validation at the edge, for every enforcer (the proxy's API and the demo's in-page API): each
// check names the field it refuses, in a sentence.
import type { Protocol, ResourceInput, Role } from '../api.ts';
import { checkAddress } from './address.ts';
import { badRequest } from './errors.ts';

export type Body = Record<string, unknown>;

export function asObject(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The request body must be a JSON object.');
  return body as Body;
}

export function text(v: unknown, field: string, label: string, max = 200): string {
  if (typeof v !== 'string' || v.trim() === '') throw badRequest(`${label} is required.`, field);
  const t = v.trim();
  if (t.length > max) throw badRequest(`${label} must be at most ${max} characters.`, field);
  // eslint-disable-next-line no-control-regex -- the control characters are what it looks for
  if (/[\u0000-\u001f\u007f]/.test(t)) throw badRequest(`${label} contains control characters.`, field);
  return t;
}

export function stringList(v: unknown, field: string, label: string, max: number): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x.length > 0 && x.length < 2048)) {
    throw badRequest(`${label} must be a non-empty list.`, field);
  }
  if (v.length > max) throw badRequest(`${label} may list at most ${max} entries at once.`, field);
  return [...new Set(v as string[])];
}

export function role(v: unknown): Role {
  if (v !== 'owner' && v !== 'contributor' && v !== 'reader') throw badRequest('Role must be owner, contributor or reader.', 'role');
  return v;
}

export function shareableLinks(v: unknown): boolean {
  if (typeof v !== 'boolean') throw badRequest('shareableLinks must be true or false.', 'shareableLinks');
  return v;
}

/** A host name, or an IPv4/IPv6 literal (bare or in brackets, stored bare): address.ts. */
function address(v: unknown): string {
  const checked = checkAddress(text(v, 'address', 'Address', 253));
  if (!checked.ok) throw badRequest(checked.message, 'address');
  return checked.host;
}

function ports(v: unknown): ResourceInput['ports'] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest('Choose at least one protocol (SSH or RDP).', 'ports');
  const out: ResourceInput['ports'] = {};
  for (const [proto, list] of Object.entries(v)) {
    if (proto !== 'ssh' && proto !== 'rdp') throw badRequest(`Unknown protocol "${proto}"; use ssh or rdp.`, 'ports');
    const label = proto.toUpperCase();
    if (!Array.isArray(list) || list.length === 0 || list.length > 16) {
      throw badRequest(`${label} needs between 1 and 16 ports.`, `ports.${proto}`);
    }
    for (const p of list) {
      if (!Number.isInteger(p) || p < 1 || p > 65535) {
        throw badRequest(`${label} port "${p}" is not a port number (1–65535).`, `ports.${proto}`);
      }
    }
    out[proto as Protocol] = [...new Set(list as number[])];
  }
  if (!out.ssh && !out.rdp) throw badRequest('Choose at least one protocol (SSH or RDP).', 'ports');
  return out;
}

function optionalFingerprint(v: unknown, field: string, pattern: RegExp, example: string, normalise = (s: string) => s) {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw badRequest(`The fingerprint must be text like ${example}.`, field);
  const n = normalise(v.trim());
  if (!pattern.test(n)) throw badRequest(`The fingerprint must look like ${example}.`, field);
  return n;
}

/** RDP certificate fingerprints are accepted as OpenSSL prints them (AB:CD:…) and stored as sha256:abcd… */
function normaliseCertFingerprint(s: string): string {
  return `sha256:${s.replace(/^sha256[:=]?/i, '').replace(/:/g, '').toLowerCase()}`;
}

export function resourceInput(raw: unknown): ResourceInput {
  const body = asObject(raw);
  const input: ResourceInput = {
    name: text(body.name, 'name', 'Name', 100),
    address: address(body.address),
    ports: ports(body.ports),
    sshHostKeyFingerprint: optionalFingerprint(body.sshHostKeyFingerprint, 'sshHostKeyFingerprint', /^SHA256:[A-Za-z0-9+/]{43}$/,
      '"SHA256:" followed by 43 characters, as ssh-keygen -l prints it'),
    rdpCertFingerprint: optionalFingerprint(body.rdpCertFingerprint, 'rdpCertFingerprint', /^sha256:[0-9a-f]{64}$/,
      'a SHA-256 fingerprint of 64 hexadecimal digits', normaliseCertFingerprint),
  };
  // Optional fields left out stay out, so records read back exactly as written.
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as ResourceInput;
}

/** "All resources" when there are none. */
export const noResourcesForLinks = () => badRequest('There are no resources to create links for.', 'resourceIds');

/** Link tokens or whole link URLs, as an admin pastes them for deletion: all valid, or none is taken. */
export function linkTokens(v: unknown, max: number): string[] {
  const tokens = stringList(v, 'tokens', 'Tokens', max).map(extractToken);
  const bad = tokens.findIndex((t) => !looksLikeToken(t));
  if (bad >= 0) throw badRequest(`Entry ${bad + 1} is not a link token or link URL; nothing was deleted.`, 'tokens');
  return tokens;
}

/** A token is 43 base64url characters (256 bits); anything else is refused before any look-up. */
export function looksLikeToken(s: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(s);
}

/** A token as it may be pasted: bare, or inside a full link URL ending in #/l/<token>. */
export function extractToken(input: string): string {
  const trimmed = input.trim();
  const i = trimmed.lastIndexOf('#/l/');
  return i >= 0 ? trimmed.slice(i + 4) : trimmed;
}
