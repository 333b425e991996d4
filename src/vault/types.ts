// The vault service's contracts: the storage it is given, and what it hands the UI.
import type { StoredSecret, StoredVault } from '../storage/db';
import type { VaultError } from './errors';
import type { ScryptParams } from './kdf';

export interface VaultStorage {
  listVaults(): Promise<StoredVault[]>;
  getVault(id: string): Promise<StoredVault | undefined>;
  listVaultSecrets(vaultId: string): Promise<StoredSecret[]>;
  addVault(vault: StoredVault, secrets: StoredSecret[]): Promise<boolean>;
  updateVaultLabels(id: string, labels: Pick<StoredVault, 'name' | 'autoLockMinutes'>): Promise<boolean>;
  deleteVault(id: string): Promise<void>;
  saveVaultSecret(secret: StoredSecret, previousName?: string): Promise<'ok' | 'taken' | 'no-vault'>;
  deleteVaultSecret(vaultId: string, name: string): Promise<void>;
}

export interface VaultSummary {
  id: string;
  name: string;
  createdAt: string;
  autoLockMinutes: number;
  unlocked: boolean;
  /** Listed without unlocking (the "list" half of list/get). */
  secrets: { name: string; createdAt: string }[];
}

export type KeyDetails =
  | { name: string; createdAt: string; ok: true; keyType: string; fingerprint: string; publicKey: string; comment: string }
  | { name: string; createdAt: string; ok: false; error: VaultError };

export interface VaultOptions {
  /** Parameters for new vaults; defaults to calibrating on this machine. Unit tests pass small ones. */
  params?: () => Promise<ScryptParams>;
  random?: (length: number) => Uint8Array;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  now?: () => Date;
}
