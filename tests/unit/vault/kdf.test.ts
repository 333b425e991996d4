// Calibration picks scrypt parameters from one timed probe. chooseParams is pure, so its bounds are checked
// here with made-up probe times; nothing depends on this machine's clock.
import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../src/vault/errors';
import {
  CALIBRATION_MAX,
  CALIBRATION_MIN,
  calibrate,
  checkParams,
  chooseParams,
  deriveKek,
  KDF_TARGET_MS,
  PROBE,
  scryptMemory,
  type ScryptParams,
} from '../../../src/vault/kdf';

const work = (p: ScryptParams) => 2 ** p.logN * p.r * p.p;
const probeWork = work(PROBE);

describe('chooseParams', () => {
  it('aims at about half a second: a probe of 1/16 of 2^17·8 taking 31 ms picks 2^17', () => {
    expect(chooseParams(KDF_TARGET_MS / 8)).toEqual({ logN: 17, r: 8, p: 1 });
  });

  it('never goes below the minimum on a slow machine', () => {
    for (const ms of [200, 1_000, 60_000, 1e9]) expect(chooseParams(ms)).toEqual(CALIBRATION_MIN);
  });

  it('never goes above the maximum on a fast machine, and adds passes rather than memory', () => {
    expect(chooseParams(KDF_TARGET_MS / 32)).toEqual({ logN: 17, r: 8, p: 4 });
    for (const ms of [0.5, 0.01, 1e-9]) expect(chooseParams(ms)).toEqual(CALIBRATION_MAX);
  });

  it('treats a probe that reports no time (a coarse clock) as a fast machine, never as the minimum', () => {
    for (const ms of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(chooseParams(ms)).toEqual(CALIBRATION_MAX);
  });

  it('stays within the bounds and close to the target for every probe time in between', () => {
    for (let ms = 1; ms < 200; ms *= 1.1) {
      const p = chooseParams(ms);
      expect(p.logN).toBeGreaterThanOrEqual(CALIBRATION_MIN.logN);
      expect(p.logN).toBeLessThanOrEqual(CALIBRATION_MAX.logN);
      expect(p.p).toBeLessThanOrEqual(CALIBRATION_MAX.p);
      expect(scryptMemory(p)).toBeLessThanOrEqual(128 * 1024 * 1024);
      const predicted = (work(p) / probeWork) * ms;
      const clamped = predicted <= work(CALIBRATION_MIN) / probeWork * ms || predicted >= work(CALIBRATION_MAX) / probeWork * ms;
      if (!clamped) {
        expect(predicted).toBeGreaterThan(KDF_TARGET_MS / 1.5);
        expect(predicted).toBeLessThan(KDF_TARGET_MS * 1.5);
      }
    }
  });

  it('calibrates with an injected clock, once per page', async () => {
    let t = 0;
    // The clock moves 20 ms per reading, so each probe "takes" 20 ms.
    const params = await calibrate(() => (t += 20));
    expect(params).toEqual(chooseParams(20));
    expect(await calibrate(() => 0)).toBe(params);
  });
});

describe('checkParams (what a stored or imported header may ask for)', () => {
  it('accepts the calibration range and the small test-vector parameters', () => {
    for (const p of [CALIBRATION_MIN, CALIBRATION_MAX, { logN: 10, r: 8, p: 1 }]) expect(() => checkParams(p)).not.toThrow();
  });

  it('refuses parameters that would freeze or exhaust the page, as damage', () => {
    for (const p of [
      { logN: 9, r: 8, p: 1 },
      { logN: 21, r: 8, p: 1 },
      { logN: 19, r: 8, p: 1 }, // 512 MiB
      { logN: 16, r: 0, p: 1 },
      { logN: 16, r: 8, p: 0 },
      { logN: 16, r: 8, p: 17 },
    ]) {
      expect(() => checkParams(p)).toThrow(VaultError);
    }
  });

  it('refuses an unknown KDF as a newer format', async () => {
    await expect(deriveKek('x', new Uint8Array(16), { logN: 10, r: 8, p: 1 }, 2)).rejects.toMatchObject({ kind: 'unsupported' });
  });
});
