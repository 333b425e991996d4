// SQLite plus a change feed the test drives, standing in for a store other proxies write to (in
// production, PostgreSQL's notices).
import { SqliteStore } from '../../../proxy/store/sqlite.ts';
import type { StoreChange } from '../../../proxy/store/store.ts';

export class SharedStore extends SqliteStore {
  private listeners = new Set<(c: StoreChange) => void>();
  onChange(fn: (c: StoreChange) => void) {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }
  emit(c: StoreChange) {
    for (const fn of this.listeners) fn(c);
  }
}
