// The rings of sntrup761: R/q = Z_q[x]/(x^p - x - 1) with q = 4591, and R/3 the same mod 3.
// Elements are Int32Arrays of p coefficients; mod q they are kept centred in [-(q-1)/2, (q-1)/2],
// mod 3 in {-1, 0, 1}. Everything that touches secrets runs the same instructions and memory
// indexes whatever the values: reductions by multiplication and rounding, swaps by masks, loop
// bounds fixed by p. (A JavaScript JIT promises nothing about timing; this is the best a script
// can do: no secret-dependent branch or index.)

export const P = 761;
export const Q = 4591;
export const W = 286;
export const HALF_Q = (Q - 1) / 2; // 2295
const INV_Q = 1 / Q;
/**
 * 1.5 * 2^52: (t + ROUND) - ROUND is t rounded to the nearest integer for |t| < 2^51, by the FPU's own
 * rounding. Math.round is not used on secrets: V8 compiles it with a data-dependent branch (measured
 * here: random inputs took twice as long as regular ones).
 */
export const ROUND = 6755399441055744;

/**
 * x mod q, centred, for |x| <= 2^24, in 32-bit integer steps: a quotient estimate from 114/2^19 leaves
 * |r| < 5q, then 29235/2^27 (about 1/q) rounds r/q exactly. Checked for every x in range by the unit test.
 */
export function freezeQ(x: number): number {
  const r = x - Q * ((x * 114) >> 19);
  return r - Q * ((r * 29235 + 67108864) >> 27);
}

/** x mod 3 in {-1, 0, 1}, for |x| <= 16000: (x * 21846 + 32768) >> 16 is round(x / 3) there (checked by the unit test). */
export function freeze3(x: number): number {
  return x - 3 * ((x * 21846 + 32768) >> 16);
}

/** a * b mod (x^p - x - 1), coefficients left unreduced: below 3 * 761 * 2295 < 2^23 for a mod q and b small. */
function multiply(a: Int32Array, b: Int32Array): Float64Array {
  const c = new Float64Array(2 * P - 1);
  for (let i = 0; i < P; i++) {
    const ai = a[i];
    for (let j = 0; j < P; j++) c[i + j] += ai * b[j];
  }
  // x^k = x^(k-p+1) + x^(k-p) for k >= p; top down, so each term lands below p in one pass.
  for (let k = 2 * P - 2; k >= P; k--) {
    c[k - P + 1] += c[k];
    c[k - P] += c[k];
  }
  return c;
}

/** a * s in R/q, for a mod q and s small. */
export function multiplyQ(a: Int32Array, s: Int32Array): Int32Array {
  const c = multiply(a, s);
  const out = new Int32Array(P);
  for (let i = 0; i < P; i++) out[i] = freezeQ(c[i]);
  return out;
}

/** a * b in R/3. */
export function multiply3(a: Int32Array, b: Int32Array): Int32Array {
  const c = multiply(a, b);
  const out = new Int32Array(P);
  for (let i = 0; i < P; i++) out[i] = freeze3(c[i]);
  return out;
}

/** a^(q-2) = 1/a mod q for a != 0 (Fermat); the exponent is public, so its bits may branch. */
function reciprocalQ(a: number): number {
  let result = 1;
  let base = freezeQ(a);
  for (let e = Q - 2; e > 0; e >>= 1) {
    if (e & 1) result = freezeQ(result * base);
    base = freezeQ(base * base);
  }
  return result;
}

/** -1 when x != 0, else 0 (x an int32). */
const nonzeroMask = (x: number): number => (x | -x) >> 31;
/** -1 when x > 0, else 0 (|x| < 2^31). */
const positiveMask = (x: number): number => -x >> 31;

/**
 * Bitsliced F3 vectors for the reciprocal in R/3: coefficient i is bit i of two planes, `p` (it is 1)
 * and `m` (it is -1), 32 coefficients a word, so one step of the division updates a word at a time.
 */
const WORDS = 24; // 768 bits >= p + 1
const TOP_MASK = (1 << (P + 1 - 32 * (WORDS - 1))) - 1; // the last word's bits at indexes <= p

interface F3Vector {
  p: Int32Array;
  m: Int32Array;
}

function f3Vector(coefficients: (i: number) => number): F3Vector {
  const v = { p: new Int32Array(WORDS), m: new Int32Array(WORDS) };
  for (let i = 0; i <= P; i++) {
    const c = coefficients(i);
    v.p[i >> 5] |= (c & 1 & ~(c >> 1)) << (i & 31); // c == 1
    v.m[i >> 5] |= (c >> 1 & 1) << (i & 31); // c == -1
  }
  return v;
}

/** a <- a + c b, with c in {-1, 0, 1} given as masks (all ones when c is 1, resp. -1). */
function addScaled(a: F3Vector, b: F3Vector, cPlus: number, cMinus: number): void {
  for (let w = 0; w < WORDS; w++) {
    const bp = (cPlus & b.p[w]) | (cMinus & b.m[w]);
    const bm = (cPlus & b.m[w]) | (cMinus & b.p[w]);
    const ap = a.p[w];
    const am = a.m[w];
    const a0 = ~(ap | am);
    const b0 = ~(bp | bm);
    a.p[w] = (ap & b0) | (a0 & bp) | (am & bm);
    a.m[w] = (am & b0) | (a0 & bm) | (ap & bp);
  }
}

function swapVectors(a: F3Vector, b: F3Vector, mask: number): void {
  for (let w = 0; w < WORDS; w++) {
    const tp = mask & (a.p[w] ^ b.p[w]);
    a.p[w] ^= tp;
    b.p[w] ^= tp;
    const tm = mask & (a.m[w] ^ b.m[w]);
    a.m[w] ^= tm;
    b.m[w] ^= tm;
  }
}

/** Times x: every coefficient one place up; the one at p falls off. */
function shiftUp(plane: Int32Array): void {
  for (let w = WORDS - 1; w > 0; w--) plane[w] = (plane[w] << 1) | (plane[w - 1] >>> 31);
  plane[0] <<= 1;
  plane[WORDS - 1] &= TOP_MASK;
}

/** Divided by x (the constant term is zero): every coefficient one place down. */
function shiftDown(plane: Int32Array): void {
  for (let w = 0; w < WORDS - 1; w++) plane[w] = (plane[w] >>> 1) | (plane[w + 1] << 31);
  plane[WORDS - 1] >>>= 1;
}

/** 1/s in R/3, or ok false when s is not invertible there. */
export function reciprocal3(s: Int32Array): { value: Int32Array; ok: boolean } {
  const f = f3Vector((i) => (i === 0 ? 1 : i >= P - 1 ? -1 : 0));
  const g = f3Vector((i) => (i < P ? s[P - 1 - i] : 0));
  const v = f3Vector(() => 0);
  const r = f3Vector((i) => (i === 0 ? 1 : 0));
  let delta = 1;
  for (let step = 0; step < 2 * P - 1; step++) {
    shiftUp(v.p);
    shiftUp(v.m);
    const g0 = (g.p[0] | g.m[0]) & 1;
    const swap = positiveMask(delta) & -g0;
    delta = (delta ^ (swap & (delta ^ -delta))) + 1;
    swapVectors(f, g, swap);
    swapVectors(v, r, swap);
    // f(0) is +-1, its own inverse: c = -f(0) g(0); g <- (g + c f) / x, r <- r + c v.
    const fNeg = f.m[0] & 1;
    const gp = g.p[0] & 1;
    const gm = g.m[0] & 1;
    const cPlus = -((fNeg & gp) | (~fNeg & 1 & gm)); // c = 1 when f0 = -1, g0 = 1 or f0 = 1, g0 = -1
    const cMinus = -((fNeg & gm) | (~fNeg & 1 & gp));
    addScaled(g, f, cPlus, cMinus);
    shiftDown(g.p);
    shiftDown(g.m);
    addScaled(r, v, cPlus, cMinus);
  }
  const f0 = 1 - 2 * (f.m[0] & 1);
  const value = new Int32Array(P);
  for (let i = 0; i < P; i++) {
    const j = P - 1 - i;
    const bit = (plane: Int32Array) => (plane[j >> 5] >>> (j & 31)) & 1;
    value[i] = f0 * (bit(v.p) - bit(v.m));
  }
  return { value, ok: delta === 0 };
}

/**
 * 1/(3s) in R/q, by 2p - 1 constant-time division steps (Bernstein and Yang, "Fast constant-time gcd
 * computation and modular inversion", as the NTRU Prime specification uses them; reciprocal3 above
 * is the same walk mod 3). On the reversed polynomials: f starts as the reversed modulus
 * 1 - x^(p-1) - x^p, g as s reversed. Each step may swap (f, v) with (g, r) when delta > 0 and
 * g(0) != 0, then cancels g's constant term with f and divides g by x, while v and r track the
 * multipliers (v times x each step). s is invertible exactly when delta ends at 0, which for a short
 * s it always is (q is prime and x^p - x - 1 irreducible mod q); then v reversed, over f(0), is 1/s,
 * and r starting at 1/3 makes it 1/(3s).
 */
export function reciprocalQOfThreeTimes(s: Int32Array): Int32Array {
  // Doubles throughout (exact: every value stays below 2^24), so the loop never converts between
  // integer and floating point; the swap is arithmetic: a - d * (a - b) with d = 0 or 1.
  const n = P + 1;
  const f = new Float64Array(n);
  const g = new Float64Array(n);
  const v = new Float64Array(n);
  const r = new Float64Array(n);
  f[0] = 1;
  f[P - 1] = -1;
  f[P] = -1;
  for (let i = 0; i < P; i++) g[P - 1 - i] = s[i];
  r[0] = reciprocalQ(3);
  let delta = 1;
  for (let step = 0; step < 2 * P - 1; step++) {
    // v and r have degree at most step + 1 in this step whatever s is: a bound from the step count alone.
    const vr = Math.min(step + 2, n);
    v.copyWithin(1, 0, vr - 1);
    v[0] = 0;
    const swap = positiveMask(delta) & nonzeroMask(g[0]);
    delta = (delta ^ (swap & (delta ^ -delta))) + 1;
    const d = -swap; // 1 to swap, else 0
    for (let i = 0; i < n; i++) {
      const t = d * (f[i] - g[i]);
      f[i] -= t;
      g[i] += t;
    }
    for (let i = 0; i < vr; i++) {
      const t = d * (v[i] - r[i]);
      v[i] -= t;
      r[i] += t;
    }
    // g <- (f0 g - g0 f) / x and r <- f0 r - g0 v: both scaled alike. Reduced by rounding x/q: |x| < 2^24,
    // and x/q is never within 1/(2q) of a half-integer, far more than the product's rounding error, so the
    // tie rule never matters.
    const f0 = f[0];
    const g0 = g[0];
    for (let i = 0; i < P; i++) {
      const x = f0 * g[i + 1] - g0 * f[i + 1];
      g[i] = x - Q * (x * INV_Q + ROUND - ROUND);
    }
    g[P] = 0;
    for (let i = 0; i < vr; i++) {
      const x = f0 * r[i] - g0 * v[i];
      r[i] = x - Q * (x * INV_Q + ROUND - ROUND);
    }
  }
  const scale = reciprocalQ(f[0]);
  const value = new Int32Array(P);
  for (let i = 0; i < P; i++) value[i] = freezeQ(scale * v[P - 1 - i]);
  return value;
}
