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

/** x mod q, centred. Exact for |x| < 2^40: x/q is never within 1/(2q) of a half-integer, far more than the rounding error. */
export function freezeQ(x: number): number {
  return x - Q * Math.round(x * INV_Q);
}

/** x mod 3 in {-1, 0, 1}, for |x| < 16000: (x * 21846 + 32768) >> 16 is round(x / 3) there. */
export function freeze3(x: number): number {
  return x - 3 * ((x * 21846 + 32768) >> 16);
}

/** a * b mod (x^p - x - 1), coefficients left unreduced (|sum| stays far below 2^40 for our inputs). */
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
 * Reciprocals by 2p - 1 constant-time division steps (Bernstein and Yang, "Fast constant-time gcd
 * computation and modular inversion", as the NTRU Prime specification uses them). They run on the
 * reversed polynomials: f starts as the reversed modulus 1 - x^(p-1) - x^p, g as s reversed. Each
 * step may swap (f, v) with (g, r) when delta > 0 and g(0) != 0, then cancels g's constant term
 * with f and divides g by x, while v and r track the multipliers (v times x each step). s is
 * invertible exactly when delta ends at 0; then v, reversed and divided by f(0), is the reciprocal.
 * Written out twice, mod 3 and mod q, so each inner loop is plain integer arithmetic.
 */
function startDivsteps(s: Int32Array): { f: Int32Array; g: Int32Array; v: Int32Array; r: Int32Array } {
  const n = P + 1;
  const f = new Int32Array(n);
  const g = new Int32Array(n);
  f[0] = 1;
  f[P - 1] = -1;
  f[P] = -1;
  for (let i = 0; i < P; i++) g[P - 1 - i] = s[i];
  return { f, g, v: new Int32Array(n), r: new Int32Array(n) };
}

/** The masked swap of (f, v) with (g, r), and delta's update, for one step. */
function maybeSwap(delta: number, f: Int32Array, g: Int32Array, v: Int32Array, r: Int32Array): number {
  const swap = positiveMask(delta) & nonzeroMask(g[0]);
  for (let i = 0; i <= P; i++) {
    const t = swap & (f[i] ^ g[i]);
    f[i] ^= t;
    g[i] ^= t;
    const u = swap & (v[i] ^ r[i]);
    v[i] ^= u;
    r[i] ^= u;
  }
  return (delta ^ (swap & (delta ^ -delta))) + 1;
}

/** 1/s in R/3, or ok false when s is not invertible there. */
export function reciprocal3(s: Int32Array): { value: Int32Array; ok: boolean } {
  const { f, g, v, r } = startDivsteps(s);
  r[0] = 1;
  let delta = 1;
  for (let step = 0; step < 2 * P - 1; step++) {
    v.copyWithin(1, 0, P);
    v[0] = 0;
    delta = maybeSwap(delta, f, g, v, r);
    // f(0) is +-1, its own inverse: g <- (g - f0 g0 f) / x, r <- r - f0 g0 v.
    const c = -f[0] * g[0];
    for (let i = 0; i < P; i++) {
      const x = g[i + 1] + c * f[i + 1];
      g[i] = x - 3 * ((x * 21846 + 32768) >> 16);
    }
    g[P] = 0;
    for (let i = 0; i <= P; i++) {
      const x = r[i] + c * v[i];
      r[i] = x - 3 * ((x * 21846 + 32768) >> 16);
    }
  }
  const value = new Int32Array(P);
  for (let i = 0; i < P; i++) value[i] = f[0] * v[P - 1 - i];
  return { value, ok: delta === 0 };
}

/** 1/(3s) in R/q; always exists for a short s (q is prime and x^p - x - 1 irreducible mod q). */
export function reciprocalQOfThreeTimes(s: Int32Array): Int32Array {
  const { f, g, v, r } = startDivsteps(s);
  r[0] = reciprocalQ(3);
  let delta = 1;
  for (let step = 0; step < 2 * P - 1; step++) {
    v.copyWithin(1, 0, P);
    v[0] = 0;
    delta = maybeSwap(delta, f, g, v, r);
    // g <- (f0 g - g0 f) / x and r <- f0 r - g0 v: both scaled alike.
    const f0 = f[0];
    const g0 = g[0];
    for (let i = 0; i < P; i++) {
      const x = f0 * g[i + 1] - g0 * f[i + 1];
      g[i] = x - Q * Math.round(x * INV_Q);
    }
    g[P] = 0;
    for (let i = 0; i <= P; i++) {
      const x = f0 * r[i] - g0 * v[i];
      r[i] = x - Q * Math.round(x * INV_Q);
    }
  }
  const scale = reciprocalQ(f[0]);
  const value = new Int32Array(P);
  for (let i = 0; i < P; i++) value[i] = freezeQ(scale * v[P - 1 - i]);
  return value;
}
