// The terminal settings remembered in this browser: read back field by field, invalid values replaced
// by the defaults, font sizes kept within bounds, and a blocked storage never breaks the page.
import { describe, expect, test } from 'vitest';
import { blockedStorage as blocked, memoryStorage } from '../../support/memory-storage';
import { DEFAULT_SETTINGS, FONT_SIZE, loadSettings, parseSettings, saveSettings, SETTINGS_STORAGE_KEY, stepFontSize } from '../../../src/terminal/settings';

describe('parseSettings', () => {
  test('nothing stored: the defaults (dark, 14 px, right click does not paste, the DOM renderer)', () => {
    expect(parseSettings(null)).toEqual({ fontSize: 14, scheme: 'dark', rightClickPaste: false, renderer: 'dom' });
  });
  test('valid values are kept', () => {
    expect(parseSettings('{"fontSize":20,"scheme":"contrast","rightClickPaste":true,"renderer":"webgl"}'))
      .toEqual({ fontSize: 20, scheme: 'contrast', rightClickPaste: true, renderer: 'webgl' });
  });
  test.each([
    ['not json', DEFAULT_SETTINGS],
    ['[1,2]', DEFAULT_SETTINGS],
    ['"dark"', DEFAULT_SETTINGS],
    ['{"fontSize":7}', DEFAULT_SETTINGS],
    ['{"fontSize":33}', DEFAULT_SETTINGS],
    ['{"fontSize":14.5}', DEFAULT_SETTINGS],
    ['{"fontSize":"20"}', DEFAULT_SETTINGS],
    ['{"scheme":"toString"}', DEFAULT_SETTINGS], // an inherited name is not a scheme
    ['{"scheme":"__proto__"}', DEFAULT_SETTINGS],
    ['{"rightClickPaste":"yes"}', DEFAULT_SETTINGS],
    ['{"renderer":"canvas"}', DEFAULT_SETTINGS],
    ['{"renderer":true}', DEFAULT_SETTINGS],
    ['{"fontSize":18,"scheme":"neon"}', { ...DEFAULT_SETTINGS, fontSize: 18 }],
  ])('%s → each invalid field is its default', (text, expected) => expect(parseSettings(text)).toEqual(expected));
});

describe('stepFontSize', () => {
  test('one pixel a step, within the bounds; 0 is the default', () => {
    expect(stepFontSize(14, 1)).toBe(15);
    expect(stepFontSize(14, -1)).toBe(13);
    expect(stepFontSize(FONT_SIZE.max, 1)).toBe(FONT_SIZE.max);
    expect(stepFontSize(FONT_SIZE.min, -1)).toBe(FONT_SIZE.min);
    expect(stepFontSize(25, 0)).toBe(FONT_SIZE.default);
  });
});

describe('loadSettings and saveSettings', () => {
  test('what is saved is read back', () => {
    const storage = memoryStorage();
    saveSettings(storage, { fontSize: 16, scheme: 'light', rightClickPaste: true, renderer: 'webgl' });
    expect(JSON.parse(storage.map.get(SETTINGS_STORAGE_KEY)!)).toEqual({ fontSize: 16, scheme: 'light', rightClickPaste: true, renderer: 'webgl' });
    expect(loadSettings(storage)).toEqual({ fontSize: 16, scheme: 'light', rightClickPaste: true, renderer: 'webgl' });
  });
  test('an invalid field is stored as its default', () => {
    const storage = memoryStorage();
    const saved = saveSettings(storage, { fontSize: 1000, scheme: 'light', rightClickPaste: false, renderer: 'dom' });
    expect(saved.fontSize).toBe(FONT_SIZE.default);
    expect(loadSettings(storage).fontSize).toBe(FONT_SIZE.default);
  });
  test('a blocked storage gives the defaults and keeps the choice for the page', () => {
    expect(loadSettings(blocked)).toEqual(DEFAULT_SETTINGS);
    expect(saveSettings(blocked, { fontSize: 20, scheme: 'contrast', rightClickPaste: false, renderer: 'dom' }))
      .toEqual({ fontSize: 20, scheme: 'contrast', rightClickPaste: false, renderer: 'dom' });
    expect(loadSettings(undefined)).toEqual(DEFAULT_SETTINGS);
  });
});
