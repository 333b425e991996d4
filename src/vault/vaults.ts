// The key vaults of this browser: creating, unlocking, locking (on demand and after idle time), and the
// secrets inside. Storage is injected (IndexedDB in the app, a Map in unit tests); no DOM and no Svelte.
//
// What lives where: IndexedDB holds only sealed bytes (format.ts). An unlocked vault's 32-byte vault key
// and the keys parsed from it live in this object's memory until the vault locks, when the key bytes are
// zeroed and every reference dropped. Nothing decrypted is ever written back.
import {
  authorizedKeysLine,
  exportOpenSSH,
  fingerprintSha256,
  generateKey,
  parsePrivateKey,
  type GeneratedKeyType,
  type PrivateKey,
} from '../ssh/keys';
import type { StoredSecret, StoredVault } from '../storage/db';
import { NEWER_FORMAT, secretDamaged, VaultError, VAULT_DAMAGED } from './errors';
import { encodeVaultFile, parseVaultFile } from './file';
import {
  decodeHeader,
  encodeHeader,
  openSecret,
  SECRET_KIND_OPENSSH_KEY,
  sealSecret,
  toHex,
  unwrapVaultKey,
} from './format';
import { calibrate, deriveKek, type ScryptParams } from './kdf';
import { checkAutoLock, checkName, checkNewPassphrase, DEFAULT_AUTO_LOCK_MINUTES } from './names';
import type { KeyDetails, VaultOptions, VaultStorage, VaultSummary } from './types';

export type { KeyDetails, VaultOptions, VaultStorage, VaultSummary };

interface Unlocked {
  vaultKey: Uint8Array;
  vaultId: Uint8Array;
  timer: unknown;
  /** Parsed keys, by name; `nonce` tells a cached entry from a newer seal under the same name. */
  parsed: Map<string, { nonce: string; key: PrivateKey; text: string }>;
}

const MINUTE = 60_000;
const STORAGE_REFUSED = 'This browser refused to store the vault (private browsing, or no space left).';

export class Vaults {
  private readonly unlocked = new Map<string, Unlocked>();
  /** Each unlocked vault's auto-lock time, as it was when unlocked or last changed. */
  private readonly minutes = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private readonly params: () => Promise<ScryptParams>;
  private readonly random: (length: number) => Uint8Array;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly now: () => Date;

  constructor(
    private readonly storage: VaultStorage,
    options: VaultOptions = {},
  ) {
    this.params = options.params ?? (() => calibrate());
    this.random = options.random ?? ((n) => crypto.getRandomValues(new Uint8Array(n)));
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.now = options.now ?? (() => new Date());
  }

  /** Called after any change (created, unlocked, locked, keys added…). Returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  async list(): Promise<VaultSummary[]> {
    const vaults = await this.store(() => this.storage.listVaults());
    const out: VaultSummary[] = [];
    for (const v of vaults) out.push(await this.summary(v));
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.createdAt.localeCompare(b.createdAt));
  }

  private async summary(v: StoredVault): Promise<VaultSummary> {
    const secrets = await this.store(() => this.storage.listVaultSecrets(v.id));
    return {
      id: v.id,
      name: v.name,
      createdAt: v.createdAt,
      autoLockMinutes: v.autoLockMinutes,
      unlocked: this.unlocked.has(v.id),
      secrets: secrets.map((s) => ({ name: s.name, createdAt: s.createdAt })).sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  isUnlocked(id: string): boolean {
    return this.unlocked.has(id);
  }

  /** Makes a vault and leaves it unlocked. Returns its id. */
  async create(rawName: string, passphrase: string, repeat: string): Promise<string> {
    const name = checkName(rawName, 'vault');
    checkNewPassphrase(passphrase, repeat);
    const params = await this.params();
    const salt = this.random(16);
    const vaultKey = this.random(32);
    const vaultId = this.random(16);
    const kek = await deriveKek(passphrase, salt, params);
    const header = encodeHeader({ params, vaultId, salt, wrapNonce: this.random(24), vaultKey, kek });
    kek.fill(0);
    const id = toHex(vaultId);
    const record: StoredVault = { id, name, createdAt: this.now().toISOString(), autoLockMinutes: DEFAULT_AUTO_LOCK_MINUTES, header };
    if (!(await this.store(() => this.storage.addVault(record, [])))) throw new VaultError('storage', STORAGE_REFUSED);
    this.keep(id, vaultKey, vaultId, record.autoLockMinutes);
    return id;
  }

  /** Opens a vault with its passphrase. A wrong one throws 'wrong-passphrase' and changes nothing. */
  async unlock(id: string, passphrase: string): Promise<void> {
    const record = await this.record(id);
    const header = decodeHeader(record.header);
    if (toHex(header.vaultId) !== id) throw new VaultError('damaged', VAULT_DAMAGED);
    const kek = await deriveKek(passphrase, header.salt, header.params, header.kdf);
    try {
      const vaultKey = unwrapVaultKey(header, kek);
      if (!this.unlocked.has(id)) {
        this.keep(id, vaultKey, header.vaultId, record.autoLockMinutes);
      } else {
        // Unlocked meanwhile (a second click): keep the key we hold, count this as a use.
        vaultKey.fill(0);
        this.touch(id);
      }
    } finally {
      kek.fill(0);
    }
  }

  lock(id: string): void {
    const u = this.unlocked.get(id);
    if (!u) return;
    this.clearTimer(u.timer);
    u.vaultKey.fill(0);
    u.parsed.clear();
    this.unlocked.delete(id);
    this.changed();
  }

  lockAll(): void {
    for (const id of [...this.unlocked.keys()]) this.lock(id);
  }

  async setAutoLock(id: string, minutes: number): Promise<void> {
    const record = await this.record(id);
    const m = checkAutoLock(minutes);
    await this.store(() => this.storage.updateVaultLabels(id, { name: record.name, autoLockMinutes: m }));
    if (this.unlocked.has(id)) this.touch(id, m);
    this.changed();
  }

  async deleteVault(id: string): Promise<void> {
    this.lock(id);
    await this.store(() => this.storage.deleteVault(id));
    this.changed();
  }

  /** Every key of an unlocked vault with its public half; a damaged one is listed with its error. */
  async keys(id: string): Promise<KeyDetails[]> {
    const secrets = await this.store(() => this.storage.listVaultSecrets(id));
    const out: KeyDetails[] = [];
    for (const s of secrets) {
      try {
        const { key } = await this.open(id, s, false); // the panel re-reads these after every change
        out.push({
          name: s.name,
          createdAt: s.createdAt,
          ok: true,
          keyType: key.type,
          fingerprint: fingerprintSha256(key.publicBlob),
          publicKey: authorizedKeysLine(key),
          comment: key.comment,
        });
      } catch (e) {
        if (e instanceof VaultError && e.kind === 'locked') throw e;
        out.push({ name: s.name, createdAt: s.createdAt, ok: false, error: asVaultError(e, s.name) });
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A key ready to sign, and its unencrypted OpenSSH text (memory only), from an unlocked vault. */
  async privateKey(id: string, rawName: string): Promise<{ key: PrivateKey; text: string }> {
    const name = checkName(rawName, 'key');
    const secret = (await this.store(() => this.storage.listVaultSecrets(id))).find((s) => s.name === name);
    if (!secret) throw new VaultError('not-found', `There is no key named "${name}" in this vault.`);
    return this.open(id, secret);
  }

  /** Seals a key under a new name. Encrypted input must come with its passphrase (KeyError otherwise). */
  async importKey(id: string, rawName: string, input: string | Uint8Array, passphrase?: string): Promise<void> {
    const name = checkName(rawName, 'key');
    this.needUnlocked(id);
    const key = await parsePrivateKey(input, passphrase || undefined);
    await this.seal(id, name, await exportOpenSSH(key));
  }

  async generate(id: string, rawName: string, type: GeneratedKeyType, comment = ''): Promise<void> {
    const name = checkName(rawName, 'key');
    this.needUnlocked(id);
    const key = await generateKey(type, comment.trim());
    await this.seal(id, name, await exportOpenSSH(key));
  }

  /** The key as an OpenSSH file, encrypted with `passphrase` when one is given. */
  async exportKey(id: string, name: string, passphrase?: string): Promise<string> {
    const { key } = await this.privateKey(id, name);
    return exportOpenSSH(key, passphrase || undefined);
  }

  /** Renaming re-seals: the name is part of the seal's associated data. */
  async rename(id: string, oldName: string, rawNewName: string): Promise<void> {
    const name = checkName(rawNewName, 'key');
    if (name === oldName) return;
    const { text } = await this.privateKey(id, oldName);
    await this.seal(id, name, text, oldName);
  }

  async deleteKey(id: string, name: string): Promise<void> {
    this.needUnlocked(id);
    await this.store(() => this.storage.deleteVaultSecret(id, name));
    this.unlocked.get(id)?.parsed.delete(name);
    this.changed();
  }

  /** The whole vault as a file (sealed data only); needs no unlocking. */
  async exportVault(id: string): Promise<string> {
    const record = await this.record(id);
    const secrets = await this.store(() => this.storage.listVaultSecrets(id));
    return encodeVaultFile({ ...record, secrets });
  }

  /** Adds a vault exported elsewhere; it arrives locked and opens with its own passphrase. Returns its id. */
  async importVault(text: string): Promise<string> {
    const file = parseVaultFile(text);
    const id = toHex(file.header.vaultId);
    const vault: StoredVault = {
      id,
      name: file.name,
      createdAt: file.createdAt,
      autoLockMinutes: file.autoLockMinutes,
      header: file.header.bytes,
    };
    const secrets: StoredSecret[] = file.secrets.map((s) => ({ vaultId: id, ...s }));
    const existing = await this.store(() => this.storage.getVault(vault.id));
    if (existing) {
      throw new VaultError('already-here', `This browser already has this vault, as "${existing.name}". Delete that one first to import this copy.`);
    }
    if (!(await this.store(() => this.storage.addVault(vault, secrets)))) {
      throw new VaultError('already-here', 'This browser already has this vault. Delete it first to import this copy.');
    }
    this.changed();
    return vault.id;
  }

  // ---- internals ----

  private keep(id: string, vaultKey: Uint8Array, vaultId: Uint8Array, minutes: number): void {
    this.unlocked.set(id, { vaultKey, vaultId: vaultId.slice(), timer: undefined, parsed: new Map() });
    this.touch(id, minutes);
    this.changed();
  }

  /** Every use of an unlocked vault restarts its idle timer. */
  private touch(id: string, minutes?: number): void {
    const u = this.unlocked.get(id);
    if (!u) return;
    this.clearTimer(u.timer);
    const m = minutes ?? this.minutes.get(id) ?? DEFAULT_AUTO_LOCK_MINUTES;
    this.minutes.set(id, m);
    u.timer = this.setTimer(() => this.lock(id), m * MINUTE);
  }

  private needUnlocked(id: string): Unlocked {
    const u = this.unlocked.get(id);
    if (!u) throw new VaultError('locked', 'This vault is locked. Unlock it with its passphrase first.');
    return u;
  }

  private async record(id: string): Promise<StoredVault> {
    const record = await this.store(() => this.storage.getVault(id));
    if (!record) {
      this.lock(id);
      throw new VaultError('not-found', 'This vault no longer exists in this browser.');
    }
    return record;
  }

  /** `use`: a key is taken (signing in, exporting); listing the keys' details is not a use and keeps the idle timer. */
  private async open(id: string, secret: StoredSecret, use = true): Promise<{ key: PrivateKey; text: string }> {
    const u = this.needUnlocked(id);
    if (use) this.touch(id);
    const nonce = toHex(secret.sealed.subarray(5, 29));
    const cached = u.parsed.get(secret.name);
    if (cached && cached.nonce === nonce) return cached;
    const plain = openSecret(u.vaultKey, u.vaultId, secret.name, secret.sealed, secretDamaged(secret.name));
    if (plain[0] !== SECRET_KIND_OPENSSH_KEY) throw new VaultError('unsupported', NEWER_FORMAT);
    const text = new TextDecoder().decode(plain.subarray(1));
    plain.fill(0);
    const key = await parsePrivateKey(text);
    const entry = { nonce, key, text };
    if (this.unlocked.get(id) === u) u.parsed.set(secret.name, entry);
    return entry;
  }

  private async seal(id: string, name: string, text: string, previousName?: string): Promise<void> {
    const u = this.needUnlocked(id);
    this.touch(id);
    const body = new TextEncoder().encode(text);
    const plain = new Uint8Array(1 + body.length);
    plain[0] = SECRET_KIND_OPENSSH_KEY;
    plain.set(body, 1);
    const sealed = sealSecret(u.vaultKey, u.vaultId, name, plain, this.random(24));
    plain.fill(0);
    body.fill(0);
    const secret: StoredSecret = { vaultId: id, name, createdAt: this.now().toISOString(), sealed };
    if (previousName !== undefined) {
      const old = (await this.store(() => this.storage.listVaultSecrets(id))).find((s) => s.name === previousName);
      if (old) secret.createdAt = old.createdAt;
    }
    const outcome = await this.store(() => this.storage.saveVaultSecret(secret, previousName));
    if (outcome === 'taken') throw new VaultError('name-taken', `This vault already has a key named "${name}". Choose another name.`);
    if (outcome === 'no-vault') throw new VaultError('not-found', 'This vault no longer exists in this browser.');
    if (previousName !== undefined) u.parsed.delete(previousName);
    this.changed();
  }

  private async store<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      if (e instanceof VaultError) throw e;
      throw new VaultError('storage', STORAGE_REFUSED);
    }
  }
}

function asVaultError(e: unknown, name: string): VaultError {
  if (e instanceof VaultError) return e;
  // A seal that opened but holds no readable key cannot come from this code: call it damage.
  return new VaultError('damaged', secretDamaged(name));
}
