// The vault storage contract over plain Maps, with the same all-or-nothing answers as the IndexedDB one in
// src/storage/db.ts. Values are cloned in and out, as IndexedDB's structured clone does, so a test that
// alters "stored" bytes must do it through `raw`.
import type { StoredSecret, StoredVault } from '../../../src/storage/db';
import type { VaultStorage } from '../../../src/vault/vaults';

export class MemoryStorage implements VaultStorage {
  readonly vaults = new Map<string, StoredVault>();
  readonly secrets = new Map<string, StoredSecret>();

  private static key(vaultId: string, name: string) {
    return JSON.stringify([vaultId, name]);
  }

  /** A deep snapshot, to check that a failed operation changed nothing. */
  snapshot(): unknown {
    return structuredClone({ vaults: [...this.vaults.entries()], secrets: [...this.secrets.entries()] });
  }

  /** The stored secret itself (not a copy), for tests that damage it. */
  raw(vaultId: string, name: string): StoredSecret {
    const s = this.secrets.get(MemoryStorage.key(vaultId, name));
    if (!s) throw new Error(`no secret ${name}`);
    return s;
  }

  async listVaults() {
    return [...this.vaults.values()].map((v) => structuredClone(v));
  }
  async getVault(id: string) {
    const v = this.vaults.get(id);
    return v && structuredClone(v);
  }
  async listVaultSecrets(vaultId: string) {
    return [...this.secrets.values()].filter((s) => s.vaultId === vaultId).map((s) => structuredClone(s));
  }
  async addVault(vault: StoredVault, secrets: StoredSecret[]) {
    if (this.vaults.has(vault.id)) return false;
    this.vaults.set(vault.id, structuredClone(vault));
    for (const s of secrets) this.secrets.set(MemoryStorage.key(s.vaultId, s.name), structuredClone(s));
    return true;
  }
  async updateVaultLabels(id: string, labels: Pick<StoredVault, 'name' | 'autoLockMinutes'>) {
    const v = this.vaults.get(id);
    if (v) this.vaults.set(id, { ...v, ...labels });
    return !!v;
  }
  async deleteVault(id: string) {
    this.vaults.delete(id);
    for (const [k, s] of this.secrets) if (s.vaultId === id) this.secrets.delete(k);
  }
  async saveVaultSecret(secret: StoredSecret, previousName?: string) {
    if (!this.vaults.has(secret.vaultId)) return 'no-vault' as const;
    const key = MemoryStorage.key(secret.vaultId, secret.name);
    if (secret.name !== previousName && this.secrets.has(key)) return 'taken' as const;
    if (previousName !== undefined) this.secrets.delete(MemoryStorage.key(secret.vaultId, previousName));
    this.secrets.set(key, structuredClone(secret));
    return 'ok' as const;
  }
  async deleteVaultSecret(vaultId: string, name: string) {
    this.secrets.delete(MemoryStorage.key(vaultId, name));
  }
}
