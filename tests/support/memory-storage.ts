// Stand-ins for localStorage in unit tests: a Map, or one that throws as a blocked storage does.

/** A Storage stand-in over a Map (`map` shows what was written). */
export function memoryStorage(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  return { map, getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
}

/** A storage the browser refuses (private mode, blocked site data): every call throws. */
export const blockedStorage = {
  getItem: (): string | null => { throw new DOMException('denied', 'SecurityError'); },
  setItem: (): void => { throw new DOMException('denied', 'SecurityError'); },
};
