// Text armour around key files: PEM (RFC 7468, with the RFC 1421 headers OpenSSL still
// writes for legacy encryption). Built for pasted text: CRLF, indentation, non-breaking
// spaces, and even line breaks collapsed into spaces by a form field are all accepted.

import { KeyError } from './types';
import { fromBase64, toBase64 } from './bytes';

export interface PemBlock {
  label: string; // e.g. "OPENSSH PRIVATE KEY"
  /** Decoded body. */
  body: Uint8Array;
  /** DEK-Info cipher and hex IV, when the block carries legacy encryption headers. */
  dekInfo?: { cipher: string; iv: string };
}

/** Removes what copy and paste adds: BOM, CR, non-breaking and zero-width spaces. */
export function normalizeText(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00a0\u2000-\u200a\u202f\u3000]/g, ' ')
    .replace(/[\u200b-\u200d\u2060]/g, '');
}

interface Marker {
  kind: 'BEGIN' | 'END';
  label: string;
  start: number; // index of the first dash
  end: number; // index just past the last dash
}

const LABEL_CHAR = /[A-Z0-9 ]/;

/**
 * Finds "-----BEGIN X-----" / "-----END X-----" lines: any run of 3+ dashes and optional
 * spaces, so the "---- BEGIN SSH2 PUBLIC KEY ----" style of RFC 4716 is found too and can be
 * named. A hand-written scan (bounded look-behind and look-ahead around each literal
 * "BEGIN "/"END ") keeps this linear: a backtracking regex here took minutes on a paste of
 * a few hundred thousand dashes.
 */
function findMarkers(text: string): Marker[] {
  const markers: Marker[] = [];
  const word = /(BEGIN|END) /g;
  for (let m = word.exec(text); m; m = word.exec(text)) {
    let before = m.index - 1;
    for (let spaces = 0; before >= 0 && text[before] === ' ' && spaces < 8; spaces++) before--;
    let dashes = 0;
    for (; before >= 0 && text[before] === '-' && dashes < 16; dashes++) before--;
    if (dashes < 3) continue;
    let at = word.lastIndex;
    const labelStart = at;
    while (at < text.length && at - labelStart < 80 && LABEL_CHAR.test(text[at])) at++;
    const label = text.slice(labelStart, at).trim();
    let after = 0;
    for (; at < text.length && text[at] === '-' && after < 16; after++) at++;
    if (!label || after < 3) continue;
    markers.push({ kind: m[1] as Marker['kind'], label, start: before + 1, end: at });
    word.lastIndex = at;
  }
  return markers;
}

/** Every labelled block in the text, in order. Throws 'malformed' for a block cut off before its END line. */
export function findPemBlocks(raw: string): { label: string; text: string }[] {
  const text = normalizeText(raw);
  const markers = findMarkers(text);
  const blocks: { label: string; text: string }[] = [];
  let unterminated: string | undefined;
  for (let i = 0; i < markers.length; i++) {
    const begin = markers[i];
    if (begin.kind !== 'BEGIN') continue;
    const end = markers[i + 1];
    if (!end || end.kind !== 'END') {
      unterminated ??= begin.label;
      continue;
    }
    if (end.label !== begin.label) {
      throw new KeyError('malformed', `The key text is damaged: "BEGIN ${begin.label}" ends with "END ${end.label}".`);
    }
    blocks.push({ label: begin.label, text: text.slice(begin.end, end.start) });
    i++;
  }
  if (blocks.length === 0 && unterminated) {
    throw new KeyError('malformed', `The key is incomplete: the "-----END ${unterminated}-----" line is missing. Copy the whole file.`);
  }
  return blocks;
}

/** Decodes a block body, pulling out the RFC 1421 encryption headers and skipping any other header lines. */
export function decodePemBody(label: string, text: string): PemBlock {
  let body = text;
  let dekInfo: PemBlock['dekInfo'];
  let procEncrypted = false;
  // Match the two headers as tokens, so they are found even when newlines were lost.
  body = body.replace(/Proc-Type:\s*4\s*,\s*ENCRYPTED/i, () => {
    procEncrypted = true;
    return '\n';
  });
  body = body.replace(/DEK-Info:\s*([A-Za-z0-9-]+)\s*,\s*([0-9A-Fa-f]+)/i, (_m, cipher: string, iv: string) => {
    dekInfo = { cipher, iv };
    return '\n';
  });
  if (procEncrypted !== (dekInfo !== undefined)) {
    throw new KeyError('malformed', 'The key text is damaged: its encryption headers are incomplete.');
  }
  // Other headers (e.g. RFC 4716 "Comment:"), including "\"-continued lines.
  const lines = body.split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*[A-Za-z][A-Za-z0-9-]*:/.test(lines[i])) {
      while (lines[i].trimEnd().endsWith('\\') && i + 1 < lines.length) i++;
      continue;
    }
    kept.push(lines[i]);
  }
  const decoded = fromBase64(kept.join(''));
  if (!decoded || decoded.length === 0) {
    throw new KeyError('malformed', 'The key text is damaged: it contains characters that do not belong in a key. Copy the whole file again.');
  }
  return { label, body: decoded, dekInfo };
}

/** RFC 7468 armour; OpenSSH wraps its private keys at 70 columns, PEM at 64. */
export function armor(label: string, data: Uint8Array, width = 64): string {
  const b64 = toBase64(data);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
