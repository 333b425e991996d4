// OSC 7, the shell's current folder, as the machine sends it: well-formed URLs from real shells, and
// hostile or broken payloads that must give nothing rather than a wrong folder.
import { describe, expect, test } from 'vitest';
import { MAX_OSC7_PATH, parseOsc7, watchShellFolder } from '../../../src/terminal/osc7';

describe('parseOsc7', () => {
  test.each([
    ['file://box/home/ann', '/home/ann'],
    ['file:///srv/data', '/srv/data'], // no host
    ['FILE://box/x', '/x'],
    ['file://box/', '/'],
    ['file://box/home/ann/my%20files/%C3%A9t%C3%A9', '/home/ann/my files/été'], // vte.sh encodes spaces and UTF-8
    ['file://box/home/ann/été 日本', '/home/ann/été 日本'], // fish leaves them as they are
    ['file://box/a%3Fb%23c', '/a?b#c'],
    ['file://box/odd?name#here', '/odd?name#here'], // not encoded by the shell: still the name
  ])('%s → %s', (payload, path) => {
    expect(parseOsc7(payload)).toBe(path);
  });

  test.each([
    ['', 'empty'],
    ['/home/ann', 'no URL'],
    ['http://box/home/ann', 'not file:'],
    ['kitty-shell-cwd://box/home', 'another scheme'],
    ['file:/home/ann', 'no authority'],
    ['file://box', 'no path'],
    ['file://box/a%', 'a lone %'],
    ['file://box/a%zz', 'not hex'],
    ['file://box/a%C3', 'cut UTF-8'],
    ['file://box/a%FF%FE', 'not UTF-8'],
    ['file://box/a%00b', 'NUL'],
    ['file://box/a%0Ab', 'newline'],
    ['file://box/a%1B[31m', 'an escape'],
    ['file://box/a\u009bb', 'C1 control'],
    [`file://box/${'a'.repeat(MAX_OSC7_PATH)}`, 'longer than a path may be'],
    [`file://box/${'%41'.repeat(5000)}`, 'a payload too long to look at'],
  ])('%s is refused (%s)', (payload) => {
    expect(parseOsc7(payload)).toBeNull();
  });

  test('a path of the longest length is taken', () => {
    const path = '/' + 'a'.repeat(MAX_OSC7_PATH - 1);
    expect(parseOsc7(`file://box${path}`)).toBe(path);
  });
});

describe('watchShellFolder', () => {
  test('registers for OSC 7 and reports only the payloads that parse', () => {
    let handler: ((data: string) => boolean | Promise<boolean>) | undefined;
    let ident = 0;
    const parser = {
      registerOscHandler(id: number, fn: (data: string) => boolean | Promise<boolean>) {
        ident = id;
        handler = fn;
        return { dispose: () => (handler = undefined) };
      },
    };
    const seen: string[] = [];
    const watch = watchShellFolder({ parser } as never, (p) => seen.push(p));
    expect(ident).toBe(7);
    expect(handler!('file://box/tmp')).toBe(true);
    expect(handler!('file://box/%zz')).toBe(true);
    expect(seen).toEqual(['/tmp']);
    watch.dispose();
    expect(handler).toBeUndefined();
  });
});
