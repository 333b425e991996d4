// The byte encodings of Streamlined NTRU Prime (NTRU Prime specification, "Encoding"):
//   Encode(R, M) packs integers 0 <= R[i] < M[i] into bytes with almost no waste. Pairs are merged
//   into one number below M[i]*M[i+1]; while that bound is at least 16384 its low byte is written
//   out and the bound divided by 256 (rounding up); then the merged list is encoded the same way.
//   Decode(S, M) undoes it and reduces every value mod its M[i], so any byte string decodes to
//   some in-range list: a peer cannot make us hold an out-of-range coefficient.
// Here only public data passes through them (public keys and ciphertexts, and the re-encryption in
// decapsulation, whose branches and indexes depend on M alone).

export function encode(R: readonly number[], M: readonly number[], out: number[] = []): number[] {
  if (M.length === 0) return out;
  if (M.length === 1) {
    let r = R[0];
    for (let m = M[0]; m > 1; m = (m + 255) >>> 8) {
      out.push(r & 255);
      r >>>= 8;
    }
    return out;
  }
  const R2: number[] = [];
  const M2: number[] = [];
  for (let i = 0; i + 1 < M.length; i += 2) {
    let m = M[i] * M[i + 1];
    let r = R[i] + M[i] * R[i + 1];
    for (; m >= 16384; m = (m + 255) >>> 8) {
      out.push(r & 255);
      r >>>= 8;
    }
    R2.push(r);
    M2.push(m);
  }
  if (M.length & 1) {
    R2.push(R[M.length - 1]);
    M2.push(M[M.length - 1]);
  }
  return encode(R2, M2, out);
}

export function decode(S: Uint8Array, M: readonly number[]): number[] {
  if (M.length === 0) return [];
  if (M.length === 1) {
    let r = 0;
    for (let i = S.length - 1; i >= 0; i--) r = r * 256 + S[i];
    return [r % M[0]];
  }
  let k = 0;
  const low: number[] = [];
  const scale: number[] = [];
  const M2: number[] = [];
  for (let i = 0; i + 1 < M.length; i += 2) {
    let m = M[i] * M[i + 1];
    let r = 0;
    let t = 1;
    for (; m >= 16384; m = (m + 255) >>> 8) {
      r += S[k++] * t;
      t *= 256;
    }
    low.push(r);
    scale.push(t);
    M2.push(m);
  }
  if (M.length & 1) M2.push(M[M.length - 1]);
  const high = decode(S.subarray(k), M2);
  const R: number[] = [];
  for (let i = 0; i + 1 < M.length; i += 2) {
    const r = low[i >> 1] + scale[i >> 1] * high[i >> 1];
    R.push(r % M[i], Math.floor(r / M[i]) % M[i + 1]);
  }
  if (M.length & 1) R.push(high[high.length - 1]);
  return R;
}

/** How many bytes Encode writes for the bounds M (it depends on M alone). */
export function encodedLength(M: readonly number[]): number {
  return encode(new Array<number>(M.length).fill(0), M).length;
}
