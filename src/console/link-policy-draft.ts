// The link policy form as an admin fills it in (label, expiry, use limit, weekly hours, access code), turned into
// what the API takes, and back for the edit dialog. Pure, so unit tests pin it down; the proxy checks
// the result again with the shared rules (src/shared/rules/policy.ts). Field names match the API's,
// so an error from either side is shown beside the same input.
import { ApiError, errorMessage } from '../api/client';
import type { ClipboardRule, FileTransferRule, HoursWindow, Link, LinkDefaults, LinkPolicy, Weekday } from '../shared/api';
import { FieldError } from './parse';
import { accessCodeInput, generateAccessCode } from '../shared/rules/access-code';

export type ExpiryChoice = 'none' | '1h' | '1d' | '7d' | 'at';
export type UsesChoice = 'unlimited' | 'single' | 'limit';

export interface PolicyDraft {
  label: string;
  expiry: ExpiryChoice;
  /** For 'at': a datetime-local value, in the browser's time zone. */
  expiresAt: string;
  uses: UsesChoice;
  maxUses: string;
  hours: boolean;
  days: Weekday[];
  from: string;
  to: string;
  timeZone: string;
  /** Windows after the first, set through the API: the form shows only the first, and keeps these. */
  moreWindows: HoursWindow[];
  /** Whether the link page asks for an access code. */
  askCode: boolean;
  /** A new code (typed or generated); empty on an edit keeps the current one. */
  accessCode: string;
  /** Whether the link being edited has a code already. */
  hasCode: boolean;
  /** Minutes, or '' for no limit. */
  maxSessionMinutes: string;
  idleMinutes: string;
  clipboard: ClipboardRule;
  fileTransfer: FileTransferRule;
  /** Bind the link to its first visitor's passkey. */
  passkey: boolean;
}

export const EXPIRY_CHOICES: [ExpiryChoice, string][] = [['none', 'Never'], ['1h', '1 hour'], ['1d', '1 day'], ['7d', '7 days'], ['at', 'At a date and time']];
const DURATION_MS: Partial<Record<ExpiryChoice, number>> = { '1h': 3_600_000, '1d': 86_400_000, '7d': 7 * 86_400_000 };
export const CLIPBOARD_CHOICES: [ClipboardRule, string][] = [
  ['both', 'Both ways'], ['to-machine', 'To the machine only (paste)'], ['from-machine', 'From the machine only (copy)'], ['off', 'Off'],
];
export const FILE_TRANSFER_CHOICES: [FileTransferRule, string][] = [
  ['both', 'Both ways'], ['upload', 'Upload only (to the machine)'], ['download', 'Download only (from the machine)'], ['off', 'Off'],
];
export const WEEKDAYS: [Weekday, string][] = [[1, 'Mon'], [2, 'Tue'], [3, 'Wed'], [4, 'Thu'], [5, 'Fri'], [6, 'Sat'], [0, 'Sun']];

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function newDraft(timeZone = browserTimeZone()): PolicyDraft {
  return {
    label: '', expiry: 'none', expiresAt: '', uses: 'unlimited', maxUses: '5', hours: false, days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00',
    timeZone, moreWindows: [], askCode: false, accessCode: '', hasCode: false, maxSessionMinutes: '', idleMinutes: '', clipboard: 'both', fileTransfer: 'both',
    passkey: false,
  };
}

/** The form for new links, as the owner's defaults set it (a code asked by default comes generated). */
export function draftFromDefaults(defaults: LinkDefaults | undefined): PolicyDraft {
  const { expiresIn, ...policy } = defaults ?? {};
  const d = draftOf({ policy } as Link);
  if (expiresIn) d.expiry = expiresIn;
  if (d.askCode) {
    d.hasCode = false;
    d.accessCode = generateAccessCode();
  }
  return d;
}

/** The defaults an owner saves from the form (no label, no code: each batch of links gets its own). */
export function defaultsOf(d: PolicyDraft, now: Date): LinkDefaults {
  if (d.expiry === 'at') throw new FieldError('expiresAt', 'A default expiry is a duration: choose 1 hour, 1 day or 7 days.');
  const { policy } = settingsOf({ ...d, expiry: 'none', label: '', askCode: false }, now);
  const defaults: LinkDefaults = policy;
  if (d.expiry !== 'none') defaults.expiresIn = d.expiry;
  if (d.askCode) defaults.accessCode = true;
  return defaults;
}

/** A datetime-local value for an instant, in the browser's time zone. */
function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The form as it stands for an existing link (the edit dialog). */
export function draftOf(link: Link): PolicyDraft {
  const p = link.policy ?? {};
  const d = newDraft(p.hours?.timeZone);
  d.label = link.label ?? '';
  d.askCode = d.hasCode = p.accessCode === true;
  d.maxSessionMinutes = p.maxSessionMinutes === undefined ? '' : String(p.maxSessionMinutes);
  d.idleMinutes = p.idleMinutes === undefined ? '' : String(p.idleMinutes);
  d.clipboard = p.clipboard ?? 'both';
  d.fileTransfer = p.fileTransfer ?? 'both';
  d.passkey = p.passkey === true;
  if (p.expiresAt) {
    d.expiry = 'at';
    d.expiresAt = localInput(new Date(p.expiresAt));
  }
  if (p.maxUses !== undefined) {
    d.uses = p.maxUses === 1 ? 'single' : 'limit';
    d.maxUses = String(p.maxUses);
  }
  if (p.hours && p.hours.windows[0]) {
    d.hours = true;
    d.days = [...p.hours.windows[0].days];
    d.from = p.hours.windows[0].from;
    d.to = p.hours.windows[0].to;
    d.moreWindows = p.hours.windows.slice(1);
  }
  return d;
}

/** What the API takes; a mistake throws a FieldError naming the API's field. */
export function settingsOf(d: PolicyDraft, now: Date): { label: string; policy: LinkPolicy; accessCode?: string } {
  const policy: LinkPolicy = {};
  if (d.label.length > 200) throw new FieldError('label', 'Label must be at most 200 characters.');
  const duration = DURATION_MS[d.expiry];
  if (duration) policy.expiresAt = new Date(now.getTime() + duration).toISOString();
  if (d.expiry === 'at') {
    const t = d.expiresAt ? new Date(d.expiresAt).getTime() : NaN;
    if (Number.isNaN(t)) throw new FieldError('expiresAt', 'Choose the date and time the link expires.');
    if (t <= now.getTime()) throw new FieldError('expiresAt', 'Expiry must be in the future.');
    policy.expiresAt = new Date(t).toISOString();
  }
  if (d.uses === 'single') policy.maxUses = 1;
  if (d.uses === 'limit') {
    const n = /^\d+$/.test(d.maxUses.trim()) ? Number(d.maxUses) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new FieldError('maxUses', 'Use limit must be a whole number from 1 to 100000.');
    policy.maxUses = n;
  }
  if (d.hours) {
    if (d.days.length === 0) throw new FieldError('hours.windows', 'Choose at least one day.');
    if (!d.from || !d.to || d.to <= d.from) throw new FieldError('hours.windows', 'The hours must end after they start (they do not cross midnight).');
    policy.hours = { timeZone: d.timeZone.trim(), windows: [{ days: [...d.days].sort(), from: d.from, to: d.to }, ...d.moreWindows] };
  }
  const minutes = (raw: string, field: 'maxSessionMinutes' | 'idleMinutes', what: string, most: number) => {
    if (raw.trim() === '') return;
    const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > most) throw new FieldError(field, `${what} must be a whole number of minutes from 1 to ${most}.`);
    policy[field] = n;
  };
  minutes(d.maxSessionMinutes, 'maxSessionMinutes', 'The longest session', 7 * 24 * 60);
  minutes(d.idleMinutes, 'idleMinutes', 'The idle limit', 24 * 60);
  if (d.clipboard !== 'both') policy.clipboard = d.clipboard;
  if (d.fileTransfer !== 'both') policy.fileTransfer = d.fileTransfer;
  if (d.passkey && d.askCode) throw new FieldError('passkey', 'A link asks for an access code or a passkey, not both.');
  if (d.passkey) policy.passkey = true;
  if (!d.askCode) return { label: d.label.trim(), policy };
  policy.accessCode = true;
  if (d.hasCode && d.accessCode.trim() === '') return { label: d.label.trim(), policy };
  try {
    return { label: d.label.trim(), policy, accessCode: accessCodeInput(d.accessCode) };
  } catch (e) {
    throw new FieldError('accessCode', (e as Error).message);
  }
}

/** "3 days", "5 h 10 min", "2 min": how long until `iso`. */
export function timeLeft(iso: string | undefined, now: Date): string {
  if (!iso) return '';
  const ms = new Date(iso).getTime() - now.getTime();
  if (ms <= 0) return 'none';
  const min = Math.ceil(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} days`;
}

export function usesLeftText(link: Link): string {
  const max = link.policy?.maxUses;
  if (max === undefined) return 'No limit';
  return `${Math.max(0, max - (link.uses ?? 0))} of ${max}`;
}

/** The API fields the policy form shows errors beside; an error on any other field goes above the buttons. */
export const POLICY_FIELDS: ReadonlySet<string> = new Set(['label', 'expiresAt', 'maxUses', 'hours.windows', 'hours.timeZone', 'accessCode', 'maxSessionMinutes', 'idleMinutes', 'passkey']);

/** Where a failed save's sentence goes: beside its policy field, or above the buttons. */
export function placeError(err: unknown): { fieldErrors: Record<string, string>; error: string } {
  if (err instanceof FieldError || (err instanceof ApiError && err.field && POLICY_FIELDS.has(err.field))) {
    return { fieldErrors: { [err.field!]: err.message }, error: '' };
  }
  return { fieldErrors: {}, error: errorMessage(err) };
}

export const STATUS_TEXT: Record<Link['status'], string> = {
  active: 'Active', 'resource-deleted': 'Resource deleted', expired: 'Expired', 'used-up': 'Used up', 'outside-hours': 'Outside hours',
  locked: 'Locked',
};
