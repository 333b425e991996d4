// What the SSH view shows, as reactive state the session controller writes and SshView.svelte reads.
// The questions (host key, sign-in prompts) carry their own answer functions, so the view only calls them.
import type { ExtraKey, Modifiers } from '../../terminal/keys';
import { DEFAULT_SETTINGS, type TerminalSettings } from '../../terminal/settings';
import type { ConnectionDetails, Phase } from './protocol';
import type { FilesModel } from './files/model.svelte';

export const PHASES: readonly { phase: Phase; label: string }[] = [
  { phase: 'proxy', label: 'Reaching the Postern proxy' },
  { phase: 'kex', label: 'Key exchange' },
  { phase: 'host-key', label: 'Checking the host key' },
  { phase: 'sign-in', label: 'Signing in' },
  { phase: 'shell', label: 'Starting the shell' },
];

export interface HostKeyQuestion {
  resourceName: string;
  keyType: string;
  fingerprint: string;
  answer(trust: boolean): void;
}

export interface PromptQuestion {
  name: string;
  instruction: string;
  prompts: { text: string; echo: boolean }[];
  /** null cancels. */
  answer(values: string[] | null): void;
}

export class SshViewModel {
  /** connecting: the first attempt (the form is still on screen); live: a shell; ended: stopped, terminal kept. */
  stage = $state<'connecting' | 'live' | 'ended'>('connecting');
  /** Connecting and signed in: the view is laid out as it will be when live, but not shown yet. */
  prepared = $state(false);
  phase = $state<Phase>('proxy');
  hostKey = $state<HostKeyQuestion | null>(null);
  prompt = $state<PromptQuestion | null>(null);
  banner = $state('');
  /** The key exchange, cipher and host key of the current connection, once the server has proved its key. */
  details = $state<ConnectionDetails | null>(null);
  /** Why the session ended, as a sentence; `endIsError` decides how loudly it is shown. */
  endMessage = $state('');
  endIsError = $state(false);
  reconnecting = $state(false);
  /** Bytes each way over this connection and the last timed round trip (ms), while the connection details are open. */
  stats = $state<{ bytesIn: number; bytesOut: number; rttMs: number | null } | null>(null);
  /** Round trips are measured (not where the link ends idle sessions: keepalives would count as activity). */
  pings = $state(true);
  /** A lost connection is reconnected by itself: attempt `attempt` starts in `seconds` (of `total`), unless cancelled. */
  autoReconnect = $state<{ attempt: number; seconds: number; total: number } | null>(null);
  /** The locale the next connection asks for (LANG), and the one the current connection asked for. */
  locale = $state('');
  sessionLocale = $state('');
  /** What the locale choice offers: the chosen one, the browser's languages as locales, C.UTF-8. */
  localeChoices = $state<string[]>([]);
  /** The visitor's terminal settings (font size, colours, right-click paste), as remembered in this browser. */
  settings = $state<TerminalSettings>({ ...DEFAULT_SETTINGS });
  /** The platform's copy and paste keys, as the visitor reads them. */
  keyNames = $state({ copy: 'Ctrl+Shift+C', paste: 'Ctrl+Shift+V' });
  /** Why a paste did not use the system clipboard, shown beside the terminal for a few seconds. */
  pasteNotice = $state('');
  /** The extra-keys row's Ctrl and Alt, held for the next key. */
  sticky = $state<Modifiers>({ ctrl: false, alt: false });
  /** The Files panel (SFTP); null when the link's file-transfer rule is off. */
  files: FilesModel | null = null;

  constructor(
    readonly title: string,
    readonly actions: {
      reconnect(): void;
      cancelAutoReconnect(): void;
      /** The connection details opened (true) or closed: round trips and byte counts are refreshed while open. */
      watchStats(open: boolean): void;
      close(): void;
      find(text: string, backwards: boolean): boolean;
      focus(): void;
      /** Remembers the locale for the next connection (Reconnect, or the next visit). */
      chooseLocale(locale: string): void;
      /** Stores and applies the terminal settings at once (no reconnection). */
      changeSettings(settings: TerminalSettings): void;
      /** A key of the phone's extra-keys row. */
      extraKey(key: ExtraKey): void;
      setSticky(mods: Modifiers): void;
    },
  ) {}

  phaseIndex(): number {
    return PHASES.findIndex((p) => p.phase === this.phase);
  }
}

/** A shell's end as a sentence: RFC 4254 §6.10 exit-status or exit-signal. */
export function exitSentence(exit: { code: number } | { signal: string; coreDumped: boolean; message: string }): string {
  if ('code' in exit) return exit.code === 0 ? 'The shell exited normally (status 0).' : `The shell exited with status ${exit.code}.`;
  const core = exit.coreDumped ? ' (core dumped)' : '';
  const said = exit.message.trim() ? ` It said: "${exit.message.trim()}"` : '';
  return `The shell was ended by signal ${exit.signal}${core}.${said}`;
}
