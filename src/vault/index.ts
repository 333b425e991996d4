// The app's one set of vaults, over IndexedDB. The keys page and the link page's sign-in form import
// this same instance, so a vault unlocked on one is unlocked on the other (in this tab, in memory only).
import * as db from '../storage/db';
import { Vaults } from './vaults';

export const vaults = new Vaults(db);

export { Vaults, type KeyDetails, type VaultStorage, type VaultSummary } from './vaults';
export { VaultError, type VaultErrorKind } from './errors';
