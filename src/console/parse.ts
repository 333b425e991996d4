// Parsing what an admin types into console forms. Each function names the field at fault in its error,
// so the message can be shown beside that field.
import { checkAddress } from '../shared/rules/address.ts';
import type { Protocol, ResourceInput } from '../shared/api';

export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'FieldError';
  }
}

/** "22, 2222" → [22, 2222]. Order is kept (the first is the visitor's default); duplicates are dropped. */
export function parsePorts(text: string, field: string, label: string): number[] {
  const parts = text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw new FieldError(field, `${label}: enter at least one port.`);
  const ports: number[] = [];
  for (const p of parts) {
    const n = /^\d+$/.test(p) ? Number(p) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      throw new FieldError(field, `${label}: "${p}" is not a port number (1–65535).`);
    }
    if (!ports.includes(n)) ports.push(n);
  }
  return ports;
}

export interface ResourceDraft {
  name: string;
  address: string;
  ssh: boolean;
  sshPorts: string;
  rdp: boolean;
  rdpPorts: string;
  sshHostKeyFingerprint: string;
  rdpCertFingerprint: string;
}

/** Turns the resource form into the API's input, or throws a FieldError naming the first bad field. */
export function resourceInput(d: ResourceDraft): ResourceInput {
  const name = d.name.trim();
  if (!name) throw new FieldError('name', 'Enter a name for the resource.');
  if (!d.address.trim()) throw new FieldError('address', 'Enter the host name or IP address the proxy should connect to.');
  // The proxy's own rule, so the form says at once what the proxy would say.
  const checked = checkAddress(d.address);
  if (!checked.ok) throw new FieldError('address', checked.message);
  const address = checked.host;
  if (!d.ssh && !d.rdp) throw new FieldError('protocols', 'Choose at least one protocol (SSH or RDP).');
  const ports: Partial<Record<Protocol, number[]>> = {};
  if (d.ssh) ports.ssh = parsePorts(d.sshPorts, 'sshPorts', 'SSH ports');
  if (d.rdp) ports.rdp = parsePorts(d.rdpPorts, 'rdpPorts', 'RDP ports');
  const input: ResourceInput = { name, address, ports };
  const sshFp = d.sshHostKeyFingerprint.trim();
  if (sshFp) {
    if (!/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(sshFp)) {
      throw new FieldError(
        'sshHostKeyFingerprint',
        'The SSH host key fingerprint should look like "SHA256:" followed by 43 base64 characters, as ssh-keygen -lf prints it.',
      );
    }
    input.sshHostKeyFingerprint = sshFp;
  }
  // Accept "AB:CD:…" as certificate viewers print it, and openssl's whole "sha256 Fingerprint=AB:…" line;
  // store the contract's form "sha256:abcd…".
  const rdpRaw = d.rdpCertFingerprint.trim().toLowerCase();
  const rdpFp = rdpRaw && 'sha256:' + rdpRaw.replace(/^sha-?256\s*(?:fingerprint)?\s*[:=]?/, '').replace(/[:\s]/g, '');
  if (rdpFp) {
    if (!/^sha256:[0-9a-f]{64}$/.test(rdpFp)) {
      throw new FieldError(
        'rdpCertFingerprint',
        'The RDP certificate fingerprint should be "sha256:" followed by 64 hexadecimal digits.',
      );
    }
    input.rdpCertFingerprint = rdpFp;
  }
  return input;
}

/** The form's starting values: empty for a new resource, or the resource's own values for editing. */
export function resourceDraft(r?: ResourceInput): ResourceDraft {
  return {
    name: r?.name ?? '',
    address: r?.address ?? '',
    ssh: r ? !!r.ports.ssh : true,
    sshPorts: (r?.ports.ssh ?? [22]).join(', '),
    rdp: r ? !!r.ports.rdp : true,
    rdpPorts: (r?.ports.rdp ?? [3389]).join(', '),
    sshHostKeyFingerprint: r?.sshHostKeyFingerprint ?? '',
    rdpCertFingerprint: r?.rdpCertFingerprint ?? '',
  };
}

/**
 * Pasted tokens or full link URLs, one per line → tokens. A URL's token is what follows "#/l/".
 * Blank lines are skipped and duplicates dropped.
 */
export function parseTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const m = /#\/l\/([^/?#\s]+)/.exec(line);
    let token = m ? m[1] : line;
    try {
      token = decodeURIComponent(token);
    } catch {
      /* keep it as typed; the proxy will say it is unknown */
    }
    if (/\s/.test(token)) throw new FieldError('tokens', `"${line}" is not a link or a token.`);
    if (!tokens.includes(token)) tokens.push(token);
  }
  if (tokens.length === 0) throw new FieldError('tokens', 'Paste at least one link or token, one per line.');
  return tokens;
}

/** The token in a one-time sign-in URL the proxy returned, so the console can show it under this page's address. */
export function signinTokenOf(url: string): string | null {
  const m = /#\/signin\/([^/?#\s]+)/.exec(url);
  return m ? m[1] : null;
}
