import { describe, expect, it } from 'vitest';
import { ClientInfoAutologon, INFO_AUTOLOGON, patchClientInfo } from '../../../proxy/rdp/autologon.ts';

// Hand-built client → server stream after TLS, as an RDP client sends it (MS-RDPBCGR 1.3.1.1).
const tpkt = (payload: number[]) => [0x03, 0x00, (payload.length + 4) >> 8, (payload.length + 4) & 0xff, ...payload];
const x224Data = (mcs: number[]) => tpkt([0x02, 0xf0, 0x80, ...mcs]);

const connectInitial = x224Data([0x7f, 0x65, 0x82, 0x01, 0x00, ...new Array(256).fill(0x11)]);
const erectDomain = x224Data([0x04, 0x01, 0x00, 0x01, 0x00]);
const attachUser = x224Data([0x28]);
const channelJoin = (ch: number) => x224Data([0x38, 0x00, 0x06, ch >> 8, ch & 0xff]);

/** MCS Send Data Request on the I/O channel carrying a security header and `body` (T.125 §11.32). */
function sendData(secFlags: number, body: number[], longLength = false): number[] {
  const user = [secFlags & 0xff, secFlags >> 8, 0x00, 0x00, ...body];
  const len = longLength || user.length >= 0x80 ? [0x80 | (user.length >> 8), user.length & 0xff] : [user.length];
  return x224Data([0x64, 0x00, 0x06, 0x03, 0xeb, 0x70, ...len, ...user]);
}

/** TS_INFO_PACKET: CodePage, flags, then the (here empty) domain, user, password… lengths and strings. */
function clientInfo(flags: number, tail = 20): number[] {
  const le32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
  return [...le32(0), ...le32(flags), ...new Array(tail).fill(0x22)];
}

const INFO_MOUSE_UNICODE = 0x00000001 | 0x00000010 | 0x00000002;
const SEC_INFO_PKT = 0x0040;
const fastPathInput = [0x44, 0x08, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06];

function stream(info: number[]): Uint8Array {
  return Uint8Array.from([...connectInitial, ...erectDomain, ...attachUser, ...channelJoin(1003), ...channelJoin(1004), ...info, ...fastPathInput]);
}

function run(t: ClientInfoAutologon, input: Uint8Array, split: number[]): Uint8Array {
  const out: number[] = [];
  let at = 0;
  for (const size of [...split, input.length]) {
    const end = Math.min(input.length, at + size);
    for (const part of t.push(input.subarray(at, end))) out.push(...part);
    at = end;
    if (at >= input.length) break;
  }
  return Uint8Array.from(out);
}

/** Where the info packet's flags sit in the stream built by `stream`. */
function flagsOffset(input: Uint8Array): number {
  const infoStart = connectInitial.length + erectDomain.length + attachUser.length + 2 * channelJoin(0).length;
  const lenBytes = input[infoStart + 13] & 0x80 ? 2 : 1;
  return infoStart + 13 + lenBytes + 4 + 4;
}
const readFlags = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);

describe('INFO_AUTOLOGON in the Client Info PDU', () => {
  it('sets the flag and changes nothing else', () => {
    const input = stream(sendData(SEC_INFO_PKT, clientInfo(INFO_MOUSE_UNICODE)));
    const t = new ClientInfoAutologon(true);
    const out = run(t, input, []);
    const at = flagsOffset(input);
    expect(t.state).toBe('applied');
    expect(readFlags(out, at)).toBe(INFO_MOUSE_UNICODE | INFO_AUTOLOGON);
    const expected = Uint8Array.from(input);
    new DataView(expected.buffer).setUint32(at, INFO_MOUSE_UNICODE | INFO_AUTOLOGON, true);
    expect(Buffer.from(out).equals(Buffer.from(expected))).toBe(true);
  });

  it('finds the PDU however the stream is split, one byte at a time included', () => {
    const input = stream(sendData(SEC_INFO_PKT, clientInfo(INFO_MOUSE_UNICODE, 300))); // two-byte PER length
    const at = flagsOffset(input);
    const splits = [new Array(input.length).fill(1), [3], [at - 2, 3], [at + 1], [1000, 1, 1]];
    let seed = 7;
    for (let i = 0; i < 50; i++) {
      const s: number[] = [];
      for (let k = 0; k < 20; k++) s.push(1 + ((seed = (seed * 48271) % 2147483647) % 90));
      splits.push(s);
    }
    for (const split of splits) {
      const t = new ClientInfoAutologon(true);
      const out = run(t, input, split);
      expect(out.length).toBe(input.length);
      expect(readFlags(out, at)).toBe(INFO_MOUSE_UNICODE | INFO_AUTOLOGON);
      expect(t.state).toBe('applied');
      expect(Buffer.from(out.subarray(at + 4)).equals(Buffer.from(input.subarray(at + 4)))).toBe(true);
    }
  });

  it('passes everything through untouched when disabled', () => {
    const input = stream(sendData(SEC_INFO_PKT, clientInfo(INFO_MOUSE_UNICODE)));
    const t = new ClientInfoAutologon(false);
    const out = run(t, input, [5, 17, 300]);
    expect(t.state).toBe('passthrough');
    expect(Buffer.from(out).equals(Buffer.from(input))).toBe(true);
  });

  it('skips CredSSP messages (NLA) before the MCS sequence', () => {
    const tsRequest = [0x30, 0x81, 0x90, ...new Array(0x90).fill(0x33)];
    const info = sendData(SEC_INFO_PKT, clientInfo(0));
    const input = Uint8Array.from([...tsRequest, ...stream(info)]);
    const t = new ClientInfoAutologon(true);
    const out = run(t, input, [10, 200]);
    expect(t.state).toBe('applied');
    expect(readFlags(out, tsRequest.length + flagsOffset(stream(info)))).toBe(INFO_AUTOLOGON);
  });

  it('leaves an encrypted (legacy security) Client Info alone', () => {
    const input = stream(sendData(SEC_INFO_PKT | 0x0008, clientInfo(INFO_MOUSE_UNICODE)));
    const t = new ClientInfoAutologon(true);
    expect(Buffer.from(run(t, input, [40])).equals(Buffer.from(input))).toBe(true);
    expect(t.state).toBe('passthrough');
  });

  it('gives up, passing bytes through, on a stream it does not recognise', () => {
    const input = Uint8Array.from([...fastPathInput, ...sendData(SEC_INFO_PKT, clientInfo(0))]);
    const t = new ClientInfoAutologon(true);
    expect(Buffer.from(run(t, input, [3])).equals(Buffer.from(input))).toBe(true);
    expect(t.state).toBe('passthrough');
  });

  it('ignores Send Data Requests that are not the Client Info PDU', () => {
    const securityExchange = sendData(0x0001, new Array(72).fill(0x44));
    const input = stream([...securityExchange, ...sendData(SEC_INFO_PKT, clientInfo(0))]);
    const t = new ClientInfoAutologon(true);
    const out = run(t, input, []);
    expect(t.state).toBe('applied');
    expect(readFlags(out, flagsOffset(input) + securityExchange.length)).toBe(INFO_AUTOLOGON);
  });

  it('keeps an already-set flag and rejects frames whose lengths disagree', () => {
    const frame = Uint8Array.from(sendData(SEC_INFO_PKT, clientInfo(INFO_AUTOLOGON)));
    const patched = patchClientInfo(frame) as Uint8Array;
    expect(Buffer.from(patched).equals(Buffer.from(frame))).toBe(true);
    const inconsistent = Uint8Array.from(frame);
    inconsistent[13] += 1; // PER length no longer matches the TPKT
    expect(patchClientInfo(inconsistent)).toBeUndefined();
  });
});
