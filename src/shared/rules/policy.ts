// A link's policy: when it expires, how many sign-ins it allows, its weekly hours, and the lockout
// after wrong access codes. One module for every enforcer (the proxy, the demo's in-page API), pure:
// each function is given the instant it judges, so tests inject the clock and never sleep.
import type { ClipboardRule, FileTransferRule, LinkDefaults, LinkPolicy, Weekday, WeeklyHours } from '../api.ts';
import { hoursState, isTimeZone, minutesOf } from './hours.ts';
import { badRequest } from './errors.ts';
import { text } from './validate.ts';
import { accessCodeInput } from './access-code.ts';

/** What the store keeps about a link's use. */
export interface LinkUsage {
  uses: number;
  /** Instants of recent wrong access codes for this link (ISO). */
  wrongCodes?: readonly string[];
}

export type PolicyRefusalCode = 'expired' | 'used-up' | 'outside-hours' | 'locked';

export type PolicyState =
  | { ok: true; /** The next instant the link stops working by itself (expiry or end of its hours). */ closesAt?: Date; usesLeft?: number }
  | { ok: false; code: PolicyRefusalCode; message: string; /** When it opens again by itself, if it will. */ opensAt?: Date };

const when = (d: Date, timeZone?: string) =>
  d.toLocaleString('en-GB', { timeZone: timeZone ?? 'UTC', dateStyle: 'medium', timeStyle: 'short' }) + (timeZone ? '' : ' UTC');

/** Whether a link may be used at `now`, and if not, a sentence that says why and until when. */
export function policyState(policy: LinkPolicy, usage: LinkUsage, now: Date): PolicyState {
  const expiry = policy.expiresAt ? new Date(policy.expiresAt) : undefined;
  if (expiry && now >= expiry) {
    return { ok: false, code: 'expired', message: `This link expired on ${when(expiry)}. Ask the person who shared it for a new one.` };
  }
  if (policy.maxUses !== undefined && usage.uses >= policy.maxUses) {
    const times = policy.maxUses === 1 ? 'once' : `${policy.maxUses} times`;
    return { ok: false, code: 'used-up', message: `This link could be used ${times}, and has been. Ask the person who shared it to renew it.` };
  }
  const lock = lockState((usage.wrongCodes ?? []).map((t) => new Date(t)), now, 'link');
  if (lock.locked) return { ok: false, code: 'locked', message: lock.message, opensAt: lock.until };
  let closesAt = expiry;
  if (policy.hours) {
    const h = hoursState(policy.hours, now);
    if (!h.open) {
      const opens = h.next && (!expiry || h.next < expiry) ? h.next : undefined;
      return {
        ok: false, code: 'outside-hours', opensAt: opens,
        message: opens
          ? `This link works only at set hours. It opens next on ${when(opens, policy.hours.timeZone)} (${policy.hours.timeZone}).`
          : 'This link works only at set hours, and none are left before it expires.',
      };
    }
    if (h.next && (!closesAt || h.next < closesAt)) closesAt = h.next;
  }
  const usesLeft = policy.maxUses === undefined ? undefined : policy.maxUses - usage.uses;
  return { ok: true, closesAt, usesLeft };
}

/**
 * Wrong access codes: this many within the window lock the link for everyone (perLink), or lock out
 * one address from every link (perAddress, counted by each proxy), until the window has passed.
 */
export const LOCKOUT = { perLink: 10, perAddress: 5, windowMs: 15 * 60_000 } as const;

export type Lock = { locked: false; triesLeft: number } | { locked: true; until: Date; message: string };

/** Given the instants of recent wrong codes (for one link, or from one address), whether it is locked at `now`. */
export function lockState(wrongAt: readonly Date[], now: Date, scope: 'link' | 'address'): Lock {
  const limit = scope === 'link' ? LOCKOUT.perLink : LOCKOUT.perAddress;
  const recent = wrongAt.filter((d) => now.getTime() - d.getTime() < LOCKOUT.windowMs).sort((a, b) => a.getTime() - b.getTime());
  if (recent.length < limit) return { locked: false, triesLeft: limit - recent.length };
  const until = new Date(recent[recent.length - limit].getTime() + LOCKOUT.windowMs);
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  const span = `${minutes} more minute${minutes === 1 ? '' : 's'}`;
  return {
    locked: true, until,
    message: scope === 'link'
      ? `Too many wrong access codes were tried on this link, so it is locked for ${span}. The person who shared it can unlock it.`
      : `Too many wrong access codes came from your address, so links with a code refuse it for ${span}.`,
  };
}

/** The recent wrong-code instants to keep after one more at `now` (older ones no longer count). */
export function wrongCodesAfter(previous: readonly string[], now: Date): string[] {
  const keep = previous.filter((t) => now.getTime() - Date.parse(t) < LOCKOUT.windowMs);
  return [...keep, now.toISOString()].slice(-LOCKOUT.perLink);
}

export type SessionLimit = { end: false } | { end: true; why: 'too-long' | 'idle'; message: string };

/** "2 hours", "90 minutes", "1 minute". */
export const minutesText = (minutes: number): string =>
  minutes % 60 === 0 ? `${minutes / 60} hour${minutes === 60 ? '' : 's'}` : `${minutes} minute${minutes === 1 ? '' : 's'}`;

/**
 * Whether a live session must end now for the link's session limits: it started at `startedAt` and
 * the visitor last sent something at `lastInputAt` (all instants by the proxy's clock).
 */
export function sessionLimitState(policy: LinkPolicy, startedAt: Date, lastInputAt: Date, now: Date): SessionLimit {
  if (policy.maxSessionMinutes !== undefined && now.getTime() - startedAt.getTime() >= policy.maxSessionMinutes * 60_000) {
    return { end: true, why: 'too-long', message: `This link allows sessions of at most ${minutesText(policy.maxSessionMinutes)}, so the session was ended.` };
  }
  if (policy.idleMinutes !== undefined && now.getTime() - lastInputAt.getTime() >= policy.idleMinutes * 60_000) {
    return { end: true, why: 'idle', message: `Nothing was typed or clicked for ${minutesText(policy.idleMinutes)}, so the session was ended, as this link asks.` };
  }
  return { end: false };
}

export const CLIPBOARD_RULES: readonly ClipboardRule[] = ['both', 'to-machine', 'from-machine', 'off'];

/** What a clipboard rule allows, each way. `to` is page → machine (paste), `from` machine → page (copy). */
export function clipboardAllows(rule: ClipboardRule | undefined): { to: boolean; from: boolean } {
  const r = rule ?? 'both';
  return { to: r === 'both' || r === 'to-machine', from: r === 'both' || r === 'from-machine' };
}

export const FILE_TRANSFER_RULES: readonly FileTransferRule[] = ['both', 'upload', 'download', 'off'];

/** What a file-transfer rule allows, each way: `to` is upload (page → machine), `from` download (machine → page). */
export function fileTransferAllows(rule: FileTransferRule | undefined): { to: boolean; from: boolean } {
  const r = rule ?? 'both';
  return { to: r === 'both' || r === 'upload', from: r === 'both' || r === 'download' };
}

export const CLIPBOARD_NARROWED = "The link's clipboard rule was narrowed, so the session was ended. Connect again to continue under the new rule.";
export const FILE_TRANSFER_NARROWED = "The link's file-transfer rule was narrowed, so the session was ended. Connect again to continue under the new rule.";

/**
 * Whether an edit took away a way the session was opened with (clipboard or files), and if so the
 * sentence that ends it: a channel already under way cannot be narrowed in place. Widening keeps it.
 */
export function narrowedRule(had: LinkPolicy | undefined, now: LinkPolicy | undefined): string | undefined {
  const narrows = (a: { to: boolean; from: boolean }, b: { to: boolean; from: boolean }) => (a.to && !b.to) || (a.from && !b.from);
  if (narrows(clipboardAllows(had?.clipboard), clipboardAllows(now?.clipboard))) return CLIPBOARD_NARROWED;
  if (narrows(fileTransferAllows(had?.fileTransfer), fileTransferAllows(now?.fileTransfer))) return FILE_TRANSFER_NARROWED;
  return undefined;
}

const EXPIRES_IN = ['1h', '1d', '7d'] as const;

/** Checks the defaults for new links as an owner sends them; each refusal names its field. */
export function linkDefaultsInput(raw: unknown, now: Date): LinkDefaults {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest('The defaults for new links must be an object.', 'linkDefaults');
  const { expiresIn, expiresAt, ...rest } = raw as Record<string, unknown>;
  if (expiresAt !== undefined) throw badRequest('A default expiry is a duration (expiresIn: 1h, 1d or 7d), not a date.', 'expiresIn');
  const defaults: LinkDefaults = linkPolicy(rest, now);
  if (expiresIn !== undefined && expiresIn !== null) {
    if (!EXPIRES_IN.includes(expiresIn as (typeof EXPIRES_IN)[number])) throw badRequest('The default expiry must be 1h, 1d or 7d.', 'expiresIn');
    defaults.expiresIn = expiresIn as LinkDefaults['expiresIn'];
  }
  return defaults;
}

/** Checks a policy as an admin sends it; each refusal names its field. All fields are optional. */
export function linkPolicy(raw: unknown, now: Date): LinkPolicy {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('The link policy must be an object.', 'policy');
  const body = raw as Record<string, unknown>;
  const policy: LinkPolicy = {};
  if (body.expiresAt !== undefined && body.expiresAt !== null) {
    const t = typeof body.expiresAt === 'string' ? Date.parse(body.expiresAt) : NaN;
    if (Number.isNaN(t)) throw badRequest('Expiry must be a date and time.', 'expiresAt');
    if (t <= now.getTime()) throw badRequest('Expiry must be in the future.', 'expiresAt');
    policy.expiresAt = new Date(t).toISOString();
  }
  if (body.maxUses !== undefined && body.maxUses !== null) {
    const n = body.maxUses;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 100_000) {
      throw badRequest('Use limit must be a whole number from 1 to 100000.', 'maxUses');
    }
    policy.maxUses = n;
  }
  if (body.hours !== undefined && body.hours !== null) policy.hours = weeklyHours(body.hours);
  const minutes = (key: 'maxSessionMinutes' | 'idleMinutes', what: string, most: number) => {
    const n = body[key];
    if (n === undefined || n === null) return;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > most) {
      throw badRequest(`${what} must be a whole number of minutes from 1 to ${most}.`, key);
    }
    policy[key] = n;
  };
  minutes('maxSessionMinutes', 'The longest session', 7 * 24 * 60);
  minutes('idleMinutes', 'The idle limit', 24 * 60);
  if (body.clipboard !== undefined && body.clipboard !== null && body.clipboard !== 'both') {
    if (!CLIPBOARD_RULES.includes(body.clipboard as ClipboardRule)) {
      throw badRequest('The clipboard rule must be both, to-machine, from-machine or off.', 'clipboard');
    }
    policy.clipboard = body.clipboard as ClipboardRule;
  }
  if (body.fileTransfer !== undefined && body.fileTransfer !== null && body.fileTransfer !== 'both') {
    if (!FILE_TRANSFER_RULES.includes(body.fileTransfer as FileTransferRule)) {
      throw badRequest('The file-transfer rule must be both, upload, download or off.', 'fileTransfer');
    }
    policy.fileTransfer = body.fileTransfer as FileTransferRule;
  }
  if (body.passkey !== undefined && body.passkey !== null) {
    if (typeof body.passkey !== 'boolean') throw badRequest('Whether the link binds to a passkey must be true or false.', 'passkey');
    if (body.passkey) policy.passkey = true;
  }
  if (body.accessCode !== undefined && body.accessCode !== null) {
    if (typeof body.accessCode !== 'boolean') throw badRequest('Whether the link asks for an access code must be true or false.', 'policy.accessCode');
    if (body.accessCode) policy.accessCode = true;
  }
  if (policy.accessCode && policy.passkey) throw badRequest('A link asks for an access code or a passkey, not both.', 'passkey');
  return policy;
}

function weeklyHours(raw: unknown): WeeklyHours {
  const field = 'hours';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest('Hours must name a time zone and at least one window.', field);
  const { timeZone, windows } = raw as Record<string, unknown>;
  if (typeof timeZone !== 'string' || !isTimeZone(timeZone)) {
    throw badRequest(`"${String(timeZone)}" is not a time zone this Postern knows; use a name like Europe/Berlin.`, 'hours.timeZone');
  }
  if (!Array.isArray(windows) || windows.length === 0 || windows.length > 14) {
    throw badRequest('Hours need between 1 and 14 windows.', 'hours.windows');
  }
  return {
    timeZone,
    windows: windows.map((w, i) => {
      const label = `Window ${i + 1}`;
      const { days, from, to } = (typeof w === 'object' && w !== null ? w : {}) as Record<string, unknown>;
      if (!Array.isArray(days) || days.length === 0 || !days.every((d) => Number.isInteger(d) && d >= 0 && d <= 6)) {
        throw badRequest(`${label}: choose at least one day.`, 'hours.windows');
      }
      const times = [from, to].map((t) => {
        try {
          return typeof t === 'string' ? minutesOf(t) : NaN;
        } catch {
          return NaN;
        }
      });
      if (times.some(Number.isNaN)) throw badRequest(`${label}: times are written like 08:30.`, 'hours.windows');
      if (times[1] <= times[0]) throw badRequest(`${label}: it must end after it starts (windows do not cross midnight).`, 'hours.windows');
      return { days: [...new Set(days as number[])].sort() as Weekday[], from: from as string, to: to as string };
    }),
  };
}

/** What an admin may set on a link, on create or edit (PUT /api/links/:id). */
export interface LinkSettings {
  /** '' on an edit removes the label. */
  label?: string;
  policy?: LinkPolicy;
  resetUses?: boolean;
  /** A new access code (normalized); the link then asks for it. */
  accessCode?: string;
  /** Clears the lock of too many wrong access codes. */
  unlock?: boolean;
  /** Forgets the bound passkey: the next visitor binds theirs. */
  unbindPasskey?: boolean;
}

/** Checks a link's label, policy and renewal as an admin sends them; each refusal names its field. */
export function linkSettings(body: Record<string, unknown>, now: Date): LinkSettings {
  const out: LinkSettings = {};
  if (body.label !== undefined && body.label !== null) {
    out.label = typeof body.label === 'string' && body.label.trim() === '' ? '' : text(body.label, 'label', 'Label', 200);
  }
  if (body.policy !== undefined) out.policy = linkPolicy(body.policy, now);
  if (body.resetUses !== undefined) {
    if (typeof body.resetUses !== 'boolean') throw badRequest('resetUses must be true or false.', 'resetUses');
    out.resetUses = body.resetUses;
  }
  if (body.accessCode !== undefined && body.accessCode !== null) out.accessCode = accessCodeInput(body.accessCode);
  if (out.accessCode && out.policy?.passkey) throw badRequest('A link asks for an access code or a passkey, not both.', 'passkey');
  if (body.unbindPasskey !== undefined) {
    if (typeof body.unbindPasskey !== 'boolean') throw badRequest('unbindPasskey must be true or false.', 'unbindPasskey');
    out.unbindPasskey = body.unbindPasskey;
  }
  if (body.unlock !== undefined) {
    if (typeof body.unlock !== 'boolean') throw badRequest('unlock must be true or false.', 'unlock');
    out.unlock = body.unlock;
  }
  return out;
}

/**
 * What a create or an edit does to the stored code: set the new one, remove it (the policy no longer
 * asks for one), or keep what is stored. A policy that asks for a code needs one, new or kept.
 */
export function accessCodeChange(settings: LinkSettings, hasCode: boolean): 'set' | 'remove' | 'keep' {
  if (settings.accessCode !== undefined) return 'set';
  if (settings.policy?.accessCode && !hasCode) throw badRequest('Type an access code, or generate one.', 'accessCode');
  if (settings.policy && !settings.policy.accessCode) return hasCode ? 'remove' : 'keep';
  return 'keep';
}
