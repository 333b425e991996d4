// The locale the shell is asked to run in, sent as LANG in an env request (RFC 4254 §6.4) as OpenSSH's
// SendEnv does. Without a UTF-8 locale the shell drops accented and other non-ASCII input. The default
// is C.UTF-8, because every current Linux has it, while en_US.UTF-8, de_DE.UTF-8… exist only where they
// were installed (a missing one brings the POSIX locale back, and non-ASCII input is lost again). The
// browser's languages are offered as locales beside it; the visitor's choice is remembered in this browser.

export const FALLBACK_LOCALE = 'C.UTF-8';
export const LOCALE_STORAGE_KEY = 'postern.locale';

/** A POSIX locale name with UTF-8: language, optional territory. Nothing else is ever sent. */
const LOCALE_PATTERN = /^[A-Za-z]{1,8}(_[A-Za-z]{2})?\.UTF-8$/;

export function isLocale(value: unknown): value is string {
  return typeof value === 'string' && LOCALE_PATTERN.test(value);
}

/**
 * The territory a bare language tag ("de", "ja") most likely means, as glibc names its locales.
 * Languages not listed here, with no territory in the tag, get C.UTF-8.
 */
const USUAL_TERRITORY: Record<string, string> = {
  ar: 'EG', bg: 'BG', ca: 'ES', cs: 'CZ', da: 'DK', de: 'DE', el: 'GR', en: 'US', es: 'ES', et: 'EE', fa: 'IR', fi: 'FI',
  fr: 'FR', he: 'IL', hi: 'IN', hr: 'HR', hu: 'HU', id: 'ID', is: 'IS', it: 'IT', ja: 'JP', ko: 'KR', lt: 'LT', lv: 'LV',
  nb: 'NO', nl: 'NL', nn: 'NO', pl: 'PL', pt: 'PT', ro: 'RO', ru: 'RU', sk: 'SK', sl: 'SI', sr: 'RS', sv: 'SE', th: 'TH',
  tr: 'TR', uk: 'UA', vi: 'VN', zh: 'CN',
};

/**
 * A BCP 47 language tag as a browser gives it (navigator.language) to a UTF-8 POSIX locale:
 * "en-US" → "en_US.UTF-8", "zh-Hant-TW" → "zh_TW.UTF-8", "de" and "de-150" → "de_DE.UTF-8"; anything that
 * does not make a locale name ("", "x-private", a language with no territory in the tag or the table) → "C.UTF-8".
 */
export function localeFromLanguage(tag: string): string {
  const [language = '', ...rest] = tag.trim().split(/[-_]/);
  if (!/^[A-Za-z]{2,8}$/.test(language)) return FALLBACK_LOCALE;
  const lang = language.toLowerCase();
  // After the language: an optional 4-letter script, then the territory (2 letters; 3 digits is a UN region).
  const territory = rest.find((part, i) => /^[A-Za-z]{2}$/.test(part) && rest.slice(0, i).every((p) => /^[A-Za-z]{4}$/.test(p)));
  const region = territory?.toUpperCase() ?? USUAL_TERRITORY[lang];
  if (!region) return FALLBACK_LOCALE;
  const locale = `${lang}_${region}.UTF-8`;
  return isLocale(locale) ? locale : FALLBACK_LOCALE;
}

/** What the choice offers: C.UTF-8 (the default), then the browser's languages as locales. */
export function localeChoices(languages: readonly string[], chosen?: string): string[] {
  const all = [FALLBACK_LOCALE, ...languages.map(localeFromLanguage)];
  if (isLocale(chosen)) all.unshift(chosen);
  return [...new Set(all)];
}

type LocaleStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** The remembered choice if it is a valid locale, else C.UTF-8. */
export function loadLocale(storage: LocaleStorage | undefined): string {
  let stored: string | null = null;
  try {
    stored = storage?.getItem(LOCALE_STORAGE_KEY) ?? null;
  } catch {
    // Storage blocked (a privacy setting): the default for this visit.
  }
  return isLocale(stored) ? stored : FALLBACK_LOCALE;
}

/** Remembers a valid choice; refuses anything else, so nothing invalid is read back. */
export function saveLocale(storage: LocaleStorage | undefined, locale: string): boolean {
  if (!isLocale(locale)) return false;
  try {
    storage?.setItem(LOCALE_STORAGE_KEY, locale);
  } catch {
    // Storage blocked or full: the choice holds for this page only.
  }
  return true;
}

/** The browser's languages, most preferred first (navigator.languages, else navigator.language). */
export function browserLanguages(): readonly string[] {
  const nav = globalThis.navigator;
  if (!nav) return [];
  return nav.languages?.length ? nav.languages : nav.language ? [nav.language] : [];
}

/** localStorage, or undefined where touching it throws (some sandboxed frames). */
export function localeStorage(): LocaleStorage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}
