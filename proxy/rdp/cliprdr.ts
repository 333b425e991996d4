// CLIPRDR (MS-RDPECLIP) messages as the proxy sees them: the header, format lists, and the two DIB
// header conversions the bitmap bridge (clipboard-bridge.ts) needs. Pure functions on bytes.
//
//   CLIPRDR_HEADER  msgType u16 LE | msgFlags u16 LE | dataLen u32 LE, then dataLen bytes   2.2.1
//   Format List     long names: formatId u32 LE | wszFormatName (UTF-16LE, NUL-terminated)  2.2.3.1.2
//                   short names: formatId u32 LE | formatName (32 bytes)                    2.2.3.1.1
//   Data Request    requestedFormatId u32 LE                                                2.2.5.1
//   Data Response   msgFlags CB_RESPONSE_OK or CB_RESPONSE_FAIL, then the data              2.2.5.2
//   Capabilities    cCapabilitiesSets u16 | pad u16 | sets: type u16 | length u16 | version u32 | generalFlags u32   2.2.2.1
//   File Contents Request   streamId u32 | lindex i32 | dwFlags u32 | nPositionLow u32 | nPositionHigh u32 |
//                           cbRequested u32 | [clipDataId u32]                                    2.2.5.3
//   File Contents Response  streamId u32 | requestedFileContentsData (8 bytes for a SIZE request)    2.2.5.4
// Files ride the clipboard as a list (the registered format "FileGroupDescriptorW", 2.2.5.2.3.1) whose
// contents the receiver then asks for, file by file and range by range, with File Contents Requests.

export const MSG = {
  monitorReady: 1,
  formatList: 2,
  formatListResponse: 3,
  formatDataRequest: 4,
  formatDataResponse: 5,
  tempDirectory: 6,
  clipCaps: 7,
  fileContentsRequest: 8,
  fileContentsResponse: 9,
  lockClipData: 10,
  unlockClipData: 11,
} as const;
export const MSG_NAME: Record<number, string> = Object.fromEntries(Object.entries(MSG).map(([k, v]) => [v, k]));

export const CB_RESPONSE_OK = 0x0001;
export const CB_RESPONSE_FAIL = 0x0002;
export const CB_USE_LONG_FORMAT_NAMES = 0x0002;
/** Format List flag: short names are ASCII, not UTF-16 (2.2.3.1). */
export const CB_ASCII_NAMES = 0x0004;
export const FILECONTENTS_SIZE = 0x1;
export const FILECONTENTS_RANGE = 0x2;

/** Standard clipboard formats (Windows' CF_*) that matter here. */
export const CF_DIB = 8;
export const CF_DIBV5 = 17;

export interface CliprdrMessage {
  type: number;
  flags: number;
  data: Uint8Array;
}

export interface ClipFormat {
  id: number;
  /** Long names only; never logged (a name is metadata, but who knows what an app puts there). */
  name?: string;
}

export function readMessage(b: Uint8Array): CliprdrMessage | undefined {
  if (b.length < 8) return undefined;
  const v = view(b);
  const dataLen = v.getUint32(4, true);
  if (8 + dataLen > b.length) return undefined;
  return { type: v.getUint16(0, true), flags: v.getUint16(2, true), data: b.subarray(8, 8 + dataLen) };
}

export function encodeMessage(type: number, flags: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length);
  const v = view(out);
  v.setUint16(0, type, true);
  v.setUint16(2, flags, true);
  v.setUint32(4, data.length, true);
  out.set(data, 8);
  return out;
}

/** The general capability flags in a Clipboard Capabilities PDU, or undefined. */
export function readCapsFlags(data: Uint8Array): number | undefined {
  if (data.length < 4 + 12) return undefined;
  const v = view(data);
  let at = 4;
  for (let i = v.getUint16(0, true); i > 0 && at + 4 <= data.length; i--) {
    const type = v.getUint16(at, true);
    const length = v.getUint16(at + 2, true);
    if (length < 4) return undefined;
    if (type === 1 && length >= 12 && at + 12 <= data.length) return v.getUint32(at + 8, true);
    at += length;
  }
  return undefined;
}

export function readFormatList(data: Uint8Array, longNames: boolean, asciiNames = false): ClipFormat[] | undefined {
  // A short list's empty names (the usual case for standard formats) are left out, as they say nothing.
  return readFormatEntries(data, longNames, asciiNames)?.map(({ id, name }) => (!longNames && !name ? { id } : { id, name }));
}

/** A format list's entries with where each lies in the data, or undefined if the list does not parse whole. */
function readFormatEntries(data: Uint8Array, longNames: boolean, asciiNames: boolean): (ClipFormat & { start: number; end: number })[] | undefined {
  const v = view(data);
  const out: (ClipFormat & { start: number; end: number })[] = [];
  let at = 0;
  while (at + 4 <= data.length) {
    const start = at;
    const id = v.getUint32(at, true);
    at += 4;
    if (!longNames) {
      if (at + 32 > data.length) return undefined;
      out.push({ id, name: shortName(data.subarray(at, at + 32), asciiNames), start, end: at + 32 });
      at += 32;
      continue;
    }
    let end = at;
    while (end + 1 < data.length && (data[end] | data[end + 1]) !== 0) end += 2;
    if (end + 1 >= data.length) return undefined;
    out.push({ id, name: new TextDecoder('utf-16le').decode(data.subarray(at, end)), start, end: end + 2 });
    at = end + 2;
  }
  return at === data.length ? out : undefined;
}

/** A short format name (32 bytes, NUL-padded): ASCII, or UTF-16LE cut to 16 characters. */
function shortName(field: Uint8Array, ascii: boolean): string | undefined {
  if (ascii) {
    const nul = field.indexOf(0);
    return String.fromCharCode(...field.subarray(0, nul < 0 ? field.length : nul));
  }
  let end = 0;
  while (end + 1 < field.length && (field[end] | field[end + 1]) !== 0) end += 2;
  return new TextDecoder('utf-16le').decode(field.subarray(0, end));
}

/** CF_HDROP: a local file list; RDP peers announce files with the registered names below instead. */
const CF_HDROP = 15;
/**
 * Whether a listed format carries files: the file list (FileGroupDescriptorW, or its ANSI and
 * 16-character short-name forms), the file contents format, or a file-drop list.
 */
export function isFileFormat(f: ClipFormat): boolean {
  if (f.id === CF_HDROP) return true;
  const name = f.name ?? '';
  return name.startsWith('FileGroupDescrip') || name === 'FileContents' || name === 'FileNameW' || name === 'FileName';
}

/**
 * The list without its file formats, in its own encoding, and the ids taken out; undefined if the
 * list does not parse whole (then nothing can be judged).
 */
export function withoutFileFormats(data: Uint8Array, longNames: boolean, asciiNames: boolean): { data: Uint8Array; removed: number[] } | undefined {
  const entries = readFormatEntries(data, longNames, asciiNames);
  if (!entries) return undefined;
  const kept = entries.filter((e) => !isFileFormat(e));
  const removed = entries.filter((e) => isFileFormat(e)).map((e) => e.id);
  if (!removed.length) return { data, removed };
  const out = new Uint8Array(kept.reduce((n, e) => n + e.end - e.start, 0));
  let at = 0;
  for (const e of kept) {
    out.set(data.subarray(e.start, e.end), at);
    at += e.end - e.start;
  }
  return { data: out, removed };
}

export interface FileContentsRequest {
  streamId: number;
  index: number;
  flags: number;
  /** Bytes asked for (8 for a SIZE request). */
  size: number;
}

/** A File Contents Request's fields, or undefined if it is shorter than its fixed 24 bytes. */
export function readFileContentsRequest(data: Uint8Array): FileContentsRequest | undefined {
  if (data.length < 24) return undefined;
  const v = view(data);
  return { streamId: v.getUint32(0, true), index: v.getInt32(4, true), flags: v.getUint32(8, true), size: v.getUint32(20, true) };
}

/** A File Contents Response's stream id and the length of its data, or undefined if it has no stream id. */
export function readFileContentsResponse(data: Uint8Array): { streamId: number; length: number } | undefined {
  if (data.length < 4) return undefined;
  return { streamId: view(data).getUint32(0, true), length: data.length - 4 };
}

/** The list with one more format, with an empty name, in the list's own encoding. */
export function appendFormat(data: Uint8Array, id: number, longNames: boolean): Uint8Array {
  const extra = longNames ? 4 + 2 : 4 + 32;
  const out = new Uint8Array(data.length + extra);
  out.set(data, 0);
  view(out).setUint32(data.length, id, true);
  return out;
}

// ---- Device-independent bitmaps (MS-WMF 2.2.2.3 BITMAPINFOHEADER, 2.2.2.5 BITMAPV5HEADER) ----
//   biSize u32 | biWidth i32 | biHeight i32 | biPlanes u16 | biBitCount u16 | biCompression u32 |
//   biSizeImage u32 | biXPelsPerMeter i32 | biYPelsPerMeter i32 | biClrUsed u32 | biClrImportant u32
//   V4/V5 go on: red, green, blue, alpha masks u32 | bV5CSType u32 | endpoints (36) | gammas (12) |
//   V5 only: bV5Intent u32 | bV5ProfileData u32 | bV5ProfileSize u32 | bV5Reserved u32
// With a 40-byte header, BI_BITFIELDS puts three masks right after it.

const V1 = 40;
const V4 = 108;
const V5 = 124;
const BI_RGB = 0;
const BI_BITFIELDS = 3;
const LCS_SRGB = 0x73524742; // 'sRGB'
const LCS_GM_IMAGES = 4;
const STANDARD_MASKS = [0x00ff0000, 0x0000ff00, 0x000000ff];

/**
 * CF_DIBV5 (what IronRDP's web client serves) as CF_DIB with a 40-byte header and the pixels right
 * after it, the only layout xrdp 0.9 turns into a correct image/bmp (it prepends a file header that
 * always says the pixels start 54 bytes in: sesman/chansrv/clipboard.c, g_bmp_image_header).
 * Only 24- and 32-bit uncompressed bitmaps qualify; anything else gives undefined. `tail` zero
 * bytes follow the pixels: xrdp 0.9.21 hands X applications 14 bytes fewer than it received
 * (clipboard_process_data_response_for_image sets total_bytes to the data length, not length + 14;
 * fixed in 0.9.26 by "clipboard: fix a bug when pasting image to LibreOffice").
 */
export function dibV5ToDib(dib: Uint8Array, tail = 0): Uint8Array | undefined {
  if (dib.length < V1) return undefined;
  const v = view(dib);
  const size = v.getUint32(0, true);
  if ((size !== V4 && size !== V5) || dib.length < size) return undefined;
  const bits = v.getUint16(14, true);
  const compression = v.getUint32(16, true);
  if (bits !== 24 && bits !== 32) return undefined;
  if (compression === BI_BITFIELDS) {
    if (bits !== 32 || STANDARD_MASKS.some((m, i) => v.getUint32(40 + i * 4, true) !== m)) return undefined;
  } else if (compression !== BI_RGB) {
    return undefined;
  }
  if (v.getUint32(32, true) !== 0) return undefined; // a colour table: not for 24/32 bits anyway
  const out = new Uint8Array(V1 + dib.length - size + tail);
  out.set(dib.subarray(0, V1), 0);
  out.set(dib.subarray(size), V1);
  const o = view(out);
  o.setUint32(0, V1, true);
  o.setUint32(16, BI_RGB, true); // 32-bit BI_RGB is the same BGRX layout as the standard masks
  return out;
}

/**
 * CF_DIB (what xrdp 0.9 serves: an X application's BMP file without its 14-byte file header) as
 * CF_DIBV5, which IronRDP's web client asks for. 24- and 32-bit bitmaps only; a 32-bit CF_DIB has
 * no alpha, so its fourth byte is made opaque. A V4 or V5 header is widened or kept.
 */
export function dibToDibV5(dib: Uint8Array): Uint8Array | undefined {
  if (dib.length < V1) return undefined;
  const v = view(dib);
  const size = v.getUint32(0, true);
  if (size !== V1 && size !== V4 && size !== V5) return undefined;
  const bits = v.getUint16(14, true);
  const compression = v.getUint32(16, true);
  if ((bits !== 24 && bits !== 32) || v.getUint32(32, true) !== 0) return undefined;
  let masks = [0, 0, 0];
  let pixelsAt = size;
  if (compression === BI_BITFIELDS) {
    if (bits !== 32) return undefined;
    const at = size === V1 ? V1 : 40;
    if (dib.length < at + 12) return undefined;
    masks = [0, 1, 2].map((i) => v.getUint32(at + i * 4, true));
    if (masks.some((m, i) => m !== STANDARD_MASKS[i])) return undefined;
    if (size === V1) pixelsAt = V1 + 12;
  } else if (compression !== BI_RGB) {
    return undefined;
  }
  if (dib.length < pixelsAt) return undefined;
  const out = new Uint8Array(V5 + dib.length - pixelsAt);
  out.set(dib.subarray(0, V1), 0);
  out.set(dib.subarray(pixelsAt), V5);
  const o = view(out);
  o.setUint32(0, V5, true);
  o.setUint32(16, compression, true);
  masks.forEach((m, i) => o.setUint32(40 + i * 4, m, true));
  const keepsAlpha = size !== V1 && v.getUint32(52, true) === 0xff000000;
  o.setUint32(52, keepsAlpha ? 0xff000000 : 0, true);
  o.setUint32(56, LCS_SRGB, true);
  o.setUint32(108, LCS_GM_IMAGES, true);
  if (bits === 32 && !keepsAlpha) for (let i = V5 + 3; i < out.length; i += 4) out[i] = 0xff;
  return out;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
