// The passphrase → key-encryption-key step: scrypt (RFC 7914) from @noble/hashes, its parameters calibrated
// when a vault is created so that unlocking takes about half a second on the machine that made it, and
// stored in the vault header so any browser derives the same key.
//
// Why scrypt and not argon2id: both are memory-hard and in @noble/hashes; noble's scrypt is several times
// faster than its argon2id in JavaScript, so the same half second buys an attacker more work.
//
// Calibration varies N (memory and time) between 2^16 (64 MiB) and 2^17 (128 MiB) with r = 8; a machine
// so fast that 2^17 takes less than half a second gets more passes (p, up to 8) instead of more memory, so
// a vault made on a fast desktop still opens in a phone's browser.
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { NEWER_FORMAT, VaultError, VAULT_DAMAGED } from './errors';

export interface ScryptParams {
  /** log2 of scrypt's N. */
  logN: number;
  r: number;
  p: number;
}

export const KDF_TARGET_MS = 500;
/** What calibration may choose. */
export const CALIBRATION_MIN: ScryptParams = { logN: 16, r: 8, p: 1 };
export const CALIBRATION_MAX: ScryptParams = { logN: 17, r: 8, p: 8 };
/** The probe calibration times: small enough to be quick everywhere, big enough to leave the caches. */
export const PROBE: ScryptParams = { logN: 14, r: 8, p: 1 };

/**
 * What a stored or imported header may ask for. Wider than calibration (the checked-in test vectors use
 * 2^10), but bounded, so a crafted file cannot make the page allocate gigabytes or spin for minutes.
 */
export const READ_BOUNDS = { logN: [10, 20], r: [1, 16], p: [1, 16], maxMemory: 256 * 1024 * 1024 } as const;

/** scrypt's working memory: 128·r·N bytes (RFC 7914 §2). */
export function scryptMemory(params: ScryptParams): number {
  return 128 * params.r * 2 ** params.logN;
}

/** Refuses parameters outside READ_BOUNDS. A smaller-than-today value is fine; absurd ones are damage. */
export function checkParams(params: ScryptParams): void {
  const within = (v: number, [lo, hi]: readonly [number, number]) => Number.isInteger(v) && v >= lo && v <= hi;
  if (
    !within(params.logN, READ_BOUNDS.logN) ||
    !within(params.r, READ_BOUNDS.r) ||
    !within(params.p, READ_BOUNDS.p) ||
    scryptMemory(params) > READ_BOUNDS.maxMemory
  ) {
    throw new VaultError('damaged', VAULT_DAMAGED);
  }
}

/**
 * Parameters for a new vault, given how long the probe took here. Pure, so its bounds are unit-tested
 * without a clock. scrypt's time grows linearly in N·r·p.
 */
export function chooseParams(probeMs: number): ScryptParams {
  const probeWork = 2 ** PROBE.logN * PROBE.r * PROBE.p;
  // A probe that reports 0 or nonsense (coarse timers) must not pick the minimum: treat it as very fast.
  const msPerUnit = Number.isFinite(probeMs) && probeMs > 0 ? probeMs / probeWork : 0;
  const targetWork = msPerUnit > 0 ? KDF_TARGET_MS / msPerUnit : Infinity;
  const r = CALIBRATION_MIN.r;
  const wantLogN = Math.round(Math.log2(targetWork / r));
  const logN = Math.min(CALIBRATION_MAX.logN, Math.max(CALIBRATION_MIN.logN, wantLogN));
  if (logN < CALIBRATION_MAX.logN) return { logN, r, p: 1 };
  const wantP = Math.round(targetWork / (2 ** logN * r));
  return { logN, r, p: Math.min(CALIBRATION_MAX.p, Math.max(1, wantP)) };
}

let calibrated: Promise<ScryptParams> | undefined;

/** Times the probe once per page (the best of two runs, since the first one also warms the JIT). */
export function calibrate(now: () => number = () => performance.now()): Promise<ScryptParams> {
  calibrated ??= (async () => {
    let best = Infinity;
    for (let i = 0; i < 2; i++) {
      const start = now();
      await scryptAsync('calibration', 'postern-vault', { N: 2 ** PROBE.logN, r: PROBE.r, p: PROBE.p, dkLen: 32 });
      best = Math.min(best, now() - start);
    }
    return chooseParams(best);
  })();
  return calibrated;
}

export const KDF_SCRYPT = 1;

/** The 32-byte key-encryption key. The passphrase is NFC-normalised, so it opens the same on every OS. */
export async function deriveKek(passphrase: string, salt: Uint8Array, params: ScryptParams, kdf = KDF_SCRYPT): Promise<Uint8Array> {
  if (kdf !== KDF_SCRYPT) throw new VaultError('unsupported', NEWER_FORMAT);
  checkParams(params);
  const pw = new TextEncoder().encode(passphrase.normalize('NFC'));
  return scryptAsync(pw, salt, { N: 2 ** params.logN, r: params.r, p: params.p, dkLen: 32, maxmem: READ_BOUNDS.maxMemory + 1024 * 1024 });
}
