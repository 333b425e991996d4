// Which back end this page runs, decided once at start (src/main.ts): the offline demo always when the
// site has no proxy (config.json says "proxy": null), and otherwise once the visitor chose "Try the demo"
// (remembered in this browser until they leave it), so links made in the demo open in the demo in the
// same browser. Switching reloads the page, so every part of it starts again with the other back end.
import { hasProxy } from '../config/runtime';

const KEY = 'postern.demo';

function saved(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage blocked: the demo then lasts as long as the site has no proxy
  }
}

export function demoChosen(): boolean {
  return !hasProxy() || saved()?.getItem(KEY) === '1';
}

export function switchToDemo(): void {
  saved()?.setItem(KEY, '1');
  location.reload();
}

export function leaveDemo(): void {
  saved()?.removeItem(KEY);
  location.reload();
}
