// Hand-built RDP frames for the proxy's stream tests: TPKT/X.224/MCS, fast path, and the GCC user
// data of MCS Connect Initial / Response that names the static channels (MS-RDPBCGR 2.2.1.3, 2.2.1.4).
export const tpkt = (payload: number[]) => [0x03, 0x00, (payload.length + 4) >> 8, (payload.length + 4) & 0xff, ...payload];
export const x224 = (mcs: number[]) => tpkt([0x02, 0xf0, 0x80, ...mcs]);
/** A fast-path update (server) or input (client) frame: header byte, 1-byte length, body. */
export const fastPath = (body: number[]) => [0x00, body.length + 2, ...body];
const le16 = (n: number) => [n & 0xff, n >> 8];
const le32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];

/** GCC user data after the H.221 key, as MCS Connect Initial / Response carry it (PER length, blocks). */
function gccFrame(key: string, blocks: number[][]): number[] {
  const data = blocks.flat();
  const len = data.length < 0x80 ? [data.length] : [0x80 | (data.length >> 8), data.length & 0xff];
  return x224([0x7f, 0x65, 0x82, 0x00, 0x00, ...new Array(20).fill(0), ...[...key].map((c) => c.charCodeAt(0)), ...len, ...data]);
}
const block = (type: number, body: number[]) => [...le16(type), ...le16(body.length + 4), ...body];
const channelDef = (name: string) => [...[...name.padEnd(8, '\0')].map((c) => c.charCodeAt(0)), ...le32(0x80000000)];
export const connectInitial = gccFrame('Duca', [
  block(0xc001, new Array(8).fill(1)),
  block(0xc003, [...le32(3), ...channelDef('rdpsnd'), ...channelDef('cliprdr'), ...channelDef('drdynvc')]),
]);
export const connectResponse = gccFrame('McDn', [block(0x0c01, [4, 0, 8, 0]), block(0x0c03, [...le16(1003), ...le16(3), ...le16(1004), ...le16(1005), ...le16(1006)])]);

