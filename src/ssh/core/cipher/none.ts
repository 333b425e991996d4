// The "none" cipher and MAC in force until the first NEWKEYS (RFC 4253 §6.3, §6.4).

import { readUint32 } from '../wire/bytes';
import type { Framing, Opener, Sealer } from './types';

const FRAMING: Framing = { name: 'none', blockSize: 8, lengthExcluded: false };

export const noneSealer: Sealer = {
  ...FRAMING,
  seal: async (_seq, packet) => packet,
};

export const noneOpener: Opener = {
  ...FRAMING,
  macLength: 0,
  prefixLength: 4,
  decryptLength: (_seq, prefix) => readUint32(prefix, 0),
  open: async (_seq, wire) => wire.subarray(4),
};
