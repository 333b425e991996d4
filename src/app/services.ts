// What the app is given when it starts: src/main.ts chooses the back end once (the Postern proxy, or the
// offline demo that runs in this page) and builds these services; every page receives them and uses
// them without asking which back end they are. Pages name capabilities, never modes: a role switcher
// is shown where `identity` offers one, a way to the demo where `switchTo.demo` exists.
import type { PosternApi } from '../api/client';
import type { ConnectBackend } from '../session/contract';
import type { LinkInfo, Protocol, Role } from '../shared/api';
import type { ConsoleCache } from '../storage/db';

export interface AppServices {
  /** The API the console and the one-time sign-in page use, acting with the session token `getToken` gives. */
  api(getToken: () => string | null): PosternApi;
  /**
   * Where the console keeps the signed-in session and the records it showed last (local first). Loaded
   * on first use, so pages that keep nothing (the link page) never load it.
   */
  openCache(): Promise<ConsoleCache>;
  /**
   * Looks up a shared link: what it opens, and how to connect to it. `secret` is the link's second
   * secret when it has one: the access code typed, or the pass a passkey earned (provePasskey).
   */
  openLink(token: string, secret?: string): Promise<OpenedLink>;
  /**
   * For a link bound to a passkey: registers this browser's passkey (first visitor) or proves it, and
   * returns the pass to open the link with. Absent where links cannot bind to passkeys (the demo).
   */
  provePasskey?(token: string): Promise<string>;
  /** How the console's Connect page connects, as the signed-in user. */
  connect: ConnectBackend;
  /** What the sign-in form says beside these back ends. */
  formNotes: FormNotes;
  /** Who is using the console, and how that changes. */
  identity: Identity;
  /** What runs here, said on the home page; absent for the proxy, which needs no introduction. */
  about?: string;
  /** The other back end, when this page can switch to it (each reloads the page). */
  switchTo: { demo?: () => void; proxy?: () => void };
  /** Asks whether the configured proxy answers its health check; absent when there is none to ask. */
  proxyReachable?: () => Promise<boolean>;
}

/** A shared link as the link page opens it: its description, and the back ends and notes for its form. */
export interface OpenedLink {
  info: LinkInfo;
  connect: ConnectBackend;
  formNotes: FormNotes;
}

export interface FormNotes {
  /** How to sign in here: `lead` ("Sign in to the … machine"), then " as <username> with the password <password>." */
  credentials?: { lead: string; username: string; password: string };
  /** Why a protocol cannot connect here, shown as soon as it is chosen. */
  unavailable?: Partial<Record<Protocol, string>>;
}

export type Identity =
  /** People sign in with a one-time link and sign out again. */
  | { kind: 'session' }
  /** Whoever opens the console acts as a user of their choice (the demo): a badge and a role switcher. */
  | { kind: 'acting'; badge: string; badgeTitle: string; actAs(role: Role): Promise<unknown> };
