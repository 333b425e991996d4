// The shell's locale: a browser language tag made into a UTF-8 POSIX locale name, and the remembered
// choice, which is read back and stored only when it is a valid name (it becomes an SSH env request).
import { describe, expect, test } from 'vitest';
import { blockedStorage as blocked, memoryStorage } from '../../support/memory-storage';
import { isLocale, loadLocale, localeChoices, localeFromLanguage, LOCALE_STORAGE_KEY, saveLocale } from '../../../src/ssh/browser/locale';

describe('localeFromLanguage', () => {
  test.each([
    ['en-US', 'en_US.UTF-8'],
    ['en-GB', 'en_GB.UTF-8'],
    ['de', 'de_DE.UTF-8'],
    ['de-AT', 'de_AT.UTF-8'],
    ['pt-br', 'pt_BR.UTF-8'],
    ['EN_us', 'en_US.UTF-8'],
    ['ja', 'ja_JP.UTF-8'],
    ['zh-Hant-TW', 'zh_TW.UTF-8'],
    ['sr-Latn-RS', 'sr_RS.UTF-8'],
    ['fil-PH', 'fil_PH.UTF-8'],
    ['es-419', 'es_ES.UTF-8'], // a UN region, not a territory: the language's usual one
  ])('%s → %s', (tag, locale) => {
    expect(localeFromLanguage(tag)).toBe(locale);
  });

  test.each(['', 'x-private', 'i-klingon', 'tlh', '"; ls', 'ü', 'abcdefghi-US', 'e1-US'])('%j → C.UTF-8', (tag) => {
    expect(localeFromLanguage(tag)).toBe('C.UTF-8');
  });

  test('whatever the tag, the result is a valid locale name', () => {
    for (const tag of ['en-US;rm -rf /', 'de-D\nE', 'fr-FR\u0000', 'en-U$', 'zh-Hans-C N', '-US', 'en--US', 'en-US-x-é']) {
      expect(isLocale(localeFromLanguage(tag)), tag).toBe(true);
    }
    expect(localeFromLanguage('en-US;rm -rf /')).toBe('en_US.UTF-8'); // the junk is no territory: en's usual one
  });
});

describe('isLocale', () => {
  test.each(['C.UTF-8', 'en_US.UTF-8', 'de.UTF-8', 'fil_PH.UTF-8'])('accepts %s', (name) => expect(isLocale(name)).toBe(true));
  test.each(['', 'C', 'en_US', 'en_US.utf8', 'en_US.ISO-8859-1', 'sr_RS.UTF-8@latin', 'en_USA.UTF-8', 'en US.UTF-8',
    'en_US.UTF-8\n', 'LANG=C.UTF-8', 'abcdefghi.UTF-8', undefined, null, 42])('refuses %j', (name) => {
    expect(isLocale(name)).toBe(false);
  });
});

describe('localeChoices', () => {
  test('C.UTF-8 first, then the browser languages as locales, no repeats', () => {
    expect(localeChoices(['de-DE', 'de', 'en-US', 'en'])).toEqual(['C.UTF-8', 'de_DE.UTF-8', 'en_US.UTF-8']);
    expect(localeChoices([])).toEqual(['C.UTF-8']);
  });

  test('a remembered choice is offered first; an invalid one is not offered', () => {
    expect(localeChoices(['en-US'], 'fr_FR.UTF-8')).toEqual(['fr_FR.UTF-8', 'C.UTF-8', 'en_US.UTF-8']);
    expect(localeChoices(['en-US'], 'en_US.UTF-8')).toEqual(['en_US.UTF-8', 'C.UTF-8']);
    expect(localeChoices(['en-US'], 'evil; reboot')).toEqual(['C.UTF-8', 'en_US.UTF-8']);
  });
});

describe('loadLocale and saveLocale', () => {
  test('with nothing stored, C.UTF-8: a browser locale the server lacks would lose non-ASCII input', () => {
    expect(loadLocale(memoryStorage())).toBe('C.UTF-8');
    expect(loadLocale(undefined)).toBe('C.UTF-8');
  });

  test('a stored choice is used; a stored invalid value is ignored', () => {
    expect(loadLocale(memoryStorage({ [LOCALE_STORAGE_KEY]: 'de_DE.UTF-8' }))).toBe('de_DE.UTF-8');
    expect(loadLocale(memoryStorage({ [LOCALE_STORAGE_KEY]: 'en_US.UTF-8 X=1' }))).toBe('C.UTF-8');
  });

  test('saves a valid choice under postern.locale and refuses anything else', () => {
    const storage = memoryStorage();
    expect(saveLocale(storage, 'de_DE.UTF-8')).toBe(true);
    expect(storage.map.get('postern.locale')).toBe('de_DE.UTF-8');
    expect(saveLocale(storage, 'C.UTF-8\nLD_PRELOAD=x')).toBe(false);
    expect(storage.map.get('postern.locale')).toBe('de_DE.UTF-8');
    expect(loadLocale(storage)).toBe('de_DE.UTF-8');
  });

  test('blocked storage: the default is used and a choice still counts for this page', () => {
    expect(loadLocale(blocked)).toBe('C.UTF-8');
    expect(saveLocale(blocked, 'C.UTF-8')).toBe(true);
  });
});
