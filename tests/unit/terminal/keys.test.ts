// The platform's copy and paste keys, the font size keys, and the bytes of the phone's extra-keys row
// with sticky Ctrl and Alt (as xterm sends them for the real keys).
import { describe, expect, test } from 'vitest';
import { applyModifiers, clipboardKey, detectPlatform, extraKeyText, fontKey, type KeyLike } from '../../../src/terminal/keys';

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({ type: 'keydown', key: k, ctrlKey: false, shiftKey: false, altKey: false, metaKey: false, ...mods });

describe('detectPlatform', () => {
  test.each([
    [{ platform: 'MacIntel' }, 'mac'],
    [{ platform: 'iPhone' }, 'mac'],
    [{ userAgentData: { platform: 'macOS' }, platform: 'Linux x86_64' }, 'mac'],
    [{ platform: 'Linux x86_64' }, 'other'],
    [{ platform: 'Win32' }, 'other'],
    [{}, 'other'],
    [undefined, 'other'],
  ] as const)('%j → %s', (nav, platform) => expect(detectPlatform(nav)).toBe(platform));
});

describe('clipboardKey on Linux and Windows', () => {
  test.each([
    [key('V', { ctrlKey: true, shiftKey: true }), 'paste'],
    [key('v', { ctrlKey: true, shiftKey: true }), 'paste'],
    [key('Insert', { shiftKey: true }), 'paste'],
    [key('C', { ctrlKey: true, shiftKey: true }), 'copy'],
    [key('Insert', { ctrlKey: true }), 'copy'],
    [key('v', { ctrlKey: true }), null], // ^V is the shell's (quoted insert)
    [key('c', { ctrlKey: true }), null], // ^C interrupts
    [key('v', { metaKey: true }), null],
    [key('V', { ctrlKey: true, shiftKey: true, altKey: true }), null],
    [key('Insert'), null],
    [key('v'), null],
  ])('%j → %s', (e, action) => expect(clipboardKey(e, 'other')).toBe(action));

  test('only keydown counts', () => {
    expect(clipboardKey({ ...key('V', { ctrlKey: true, shiftKey: true }), type: 'keyup' }, 'other')).toBeNull();
  });
});

describe('clipboardKey on a Mac', () => {
  test.each([
    [key('v', { metaKey: true }), 'paste'],
    [key('c', { metaKey: true }), 'copy'],
    [key('v', { ctrlKey: true }), null],
    [key('V', { ctrlKey: true, shiftKey: true }), null],
    [key('v', { metaKey: true, shiftKey: true }), null],
    [key('Insert', { shiftKey: true }), null],
  ])('%j → %s', (e, action) => expect(clipboardKey(e, 'mac')).toBe(action));
});

describe('fontKey', () => {
  test.each([
    [key('=', { ctrlKey: true }), 'other', 1],
    [key('+', { ctrlKey: true, shiftKey: true }), 'other', 1],
    [key('-', { ctrlKey: true }), 'other', -1],
    [key('0', { ctrlKey: true }), 'other', 0],
    [key('=', { metaKey: true }), 'mac', 1],
    [key('=', { ctrlKey: true }), 'mac', null],
    [key('=', { metaKey: true }), 'other', null],
    [key('-', { ctrlKey: true, altKey: true }), 'other', null],
    [key('a', { ctrlKey: true }), 'other', null],
  ] as const)('%j on %s → %s', (e, platform, step) => expect(fontKey(e, platform)).toBe(step));
});

describe('the extra-keys row', () => {
  test('keys without modifiers', () => {
    expect(extraKeyText('Esc', false)).toBe('\x1b');
    expect(extraKeyText('Tab', false)).toBe('\t');
    expect(extraKeyText('↑', false)).toBe('\x1b[A');
    expect(extraKeyText('↓', false)).toBe('\x1b[B');
    expect(extraKeyText('→', false)).toBe('\x1b[C');
    expect(extraKeyText('←', false)).toBe('\x1b[D');
    expect(extraKeyText('↑', true)).toBe('\x1bOA'); // application cursor keys (DECCKM), as vim and less set
    expect(extraKeyText('|', false)).toBe('|');
    expect(extraKeyText('~', false)).toBe('~');
    expect(extraKeyText('/', false)).toBe('/');
  });

  test.each([
    ['a', { ctrl: true, alt: false }, '\x01'],
    ['C', { ctrl: true, alt: false }, '\x03'],
    ['z', { ctrl: true, alt: false }, '\x1a'],
    ['[', { ctrl: true, alt: false }, '\x1b'],
    ['@', { ctrl: true, alt: false }, '\x00'],
    [' ', { ctrl: true, alt: false }, '\x00'],
    ['?', { ctrl: true, alt: false }, '\x7f'],
    ['_', { ctrl: true, alt: false }, '\x1f'],
    ['x', { ctrl: false, alt: true }, '\x1bx'],
    ['b', { ctrl: true, alt: true }, '\x1b\x02'],
    ['1', { ctrl: true, alt: false }, '1'], // no control character for a digit: sent as it is
    ['é', { ctrl: true, alt: false }, 'é'],
    ['\x1b[A', { ctrl: true, alt: false }, '\x1b[1;5A'],
    ['\x1bOD', { ctrl: false, alt: true }, '\x1b[1;3D'],
    ['\x1b[C', { ctrl: true, alt: true }, '\x1b[1;7C'],
    ['ls -l', { ctrl: true, alt: false }, 'ls -l'], // a paste or a word from the keyboard's suggestions
    ['a', { ctrl: false, alt: false }, 'a'],
  ])('%j with %j → %j', (text, mods, out) => expect(applyModifiers(text, mods)).toBe(out));

  test('a character outside the BMP counts as one key', () => {
    expect(applyModifiers('😀', { ctrl: false, alt: true })).toBe('\x1b😀');
  });
});
