// A whole vault as a file, to carry it to another browser profile. It holds only what IndexedDB holds:
// the sealed header and the sealed secrets, base64-encoded, plus labels. No plaintext, no key.
//
// {
//   "format": "postern-vault", "version": 1,
//   "name": "Work keys", "createdAt": "2025-…Z", "autoLockMinutes": 15,
//   "header": "<base64 of the 145-byte header, see format.ts>",
//   "secrets": [ { "name": "deploy", "createdAt": "2025-…Z", "sealed": "<base64 of a sealed secret>" } ]
// }
// The labels (vault name, dates, auto-lock) are not sealed: editing them changes a label, nothing more.
// Secret names are bound into each seal, so an edited name makes that secret refuse to open.
import { NEWER_FORMAT, VaultError } from './errors';
import { checkSealedShape, decodeHeader, type VaultHeader } from './format';
import { checkName, DEFAULT_AUTO_LOCK_MINUTES, MAX_AUTO_LOCK_MINUTES } from './names';

export const FILE_FORMAT = 'postern-vault';
export const FILE_VERSION = 1;
/** Far above any real vault (a few dozen keys of a few KB), low enough that a wrong file is refused quickly. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

export interface VaultFile {
  name: string;
  createdAt: string;
  autoLockMinutes: number;
  header: VaultHeader;
  secrets: { name: string; createdAt: string; sealed: Uint8Array }[];
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array {
  const bin = atob(text); // throws on anything that is not base64
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function encodeVaultFile(v: {
  name: string;
  createdAt: string;
  autoLockMinutes: number;
  header: Uint8Array;
  secrets: { name: string; createdAt: string; sealed: Uint8Array }[];
}): string {
  const body = {
    format: FILE_FORMAT,
    version: FILE_VERSION,
    name: v.name,
    createdAt: v.createdAt,
    autoLockMinutes: v.autoLockMinutes,
    header: toBase64(v.header),
    secrets: v.secrets.map((s) => ({ name: s.name, createdAt: s.createdAt, sealed: toBase64(s.sealed) })),
  };
  return JSON.stringify(body, null, 2) + '\n';
}

const NOT_A_VAULT = 'This file is not a Postern vault export. Choose a file saved with "Export vault".';
const DAMAGED_FILE = "This vault file's data has been altered or damaged; nothing was imported.";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function bytesField(v: unknown): Uint8Array {
  if (typeof v !== 'string') throw new VaultError('damaged', DAMAGED_FILE);
  try {
    return fromBase64(v);
  } catch {
    throw new VaultError('damaged', DAMAGED_FILE);
  }
}

/** A name in a file must be one this browser would have accepted; the file's name must be stored exactly. */
function fileName(raw: string, what: 'vault' | 'key'): string {
  try {
    const name = checkName(raw, what);
    if (name !== raw) throw new VaultError('damaged', DAMAGED_FILE);
    return name;
  } catch {
    throw new VaultError('damaged', DAMAGED_FILE);
  }
}

/** Reads an export strictly: every field present and typed, the header intact, every seal well-formed. */
export function parseVaultFile(text: string): VaultFile {
  if (text.length > MAX_FILE_BYTES) throw new VaultError('bad-file', NOT_A_VAULT);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new VaultError('bad-file', NOT_A_VAULT);
  }
  if (!isObject(body) || body.format !== FILE_FORMAT) throw new VaultError('bad-file', NOT_A_VAULT);
  if (typeof body.version !== 'number') throw new VaultError('damaged', DAMAGED_FILE);
  if (body.version > FILE_VERSION) throw new VaultError('unsupported', NEWER_FORMAT);
  if (body.version !== FILE_VERSION) throw new VaultError('damaged', DAMAGED_FILE);
  const { name, createdAt, autoLockMinutes, secrets } = body;
  if (typeof name !== 'string' || typeof createdAt !== 'string' || typeof autoLockMinutes !== 'number' || !Array.isArray(secrets)) {
    throw new VaultError('damaged', DAMAGED_FILE);
  }
  const header = decodeHeader(bytesField(body.header));
  const seen = new Set<string>();
  const out: VaultFile['secrets'] = secrets.map((s) => {
    if (!isObject(s) || typeof s.name !== 'string' || typeof s.createdAt !== 'string') throw new VaultError('damaged', DAMAGED_FILE);
    const sealed = bytesField(s.sealed);
    checkSealedShape(sealed, DAMAGED_FILE);
    const secretName = fileName(s.name, 'key');
    if (seen.has(secretName)) throw new VaultError('damaged', DAMAGED_FILE);
    seen.add(secretName);
    return { name: secretName, createdAt: s.createdAt, sealed };
  });
  return {
    name: fileName(name, 'vault'),
    createdAt,
    // A label, not sealed: an odd value falls back to the default rather than refusing the vault.
    autoLockMinutes:
      Number.isInteger(autoLockMinutes) && autoLockMinutes >= 1 && autoLockMinutes <= MAX_AUTO_LOCK_MINUTES
        ? autoLockMinutes
        : DEFAULT_AUTO_LOCK_MINUTES,
    header,
    secrets: out,
  };
}
