// The shell's pieces on their own: line editing, word splitting, path resolution.

import { describe, expect, test } from 'vitest';
import { LineEditor, MAX_LINE } from '../../../src/demo/shell/line-editor';
import { parseWords } from '../../../src/demo/shell/shell';
import { demoFileSystem, FsError } from '../../../src/demo/shell/fs';

function editor() {
  let echoed = '';
  const e = new LineEditor((t) => (echoed += t));
  const feed = (s: string | Uint8Array) => e.feed(typeof s === 'string' ? new TextEncoder().encode(s) : s);
  return { e, feed, echoed: () => echoed };
}

describe('LineEditor', () => {
  test('a UTF-8 character split across two packets is inserted once, whole', () => {
    const { e, feed, echoed } = editor();
    const bytes = new TextEncoder().encode('é€');
    expect(feed(bytes.subarray(0, 1))).toEqual([]);
    expect(feed(bytes.subarray(1, 3))).toEqual([]);
    expect(feed(bytes.subarray(3))).toEqual([]);
    expect(e.line).toBe('é€');
    expect(echoed()).toBe('é€');
    feed('\x7f');
    expect(e.line).toBe('é'); // backspace removes a character, not a byte
    expect(feed('\r')).toEqual([{ type: 'line', text: 'é' }]);
  });

  test('CR LF is one Enter; a bare LF is Enter too', () => {
    const { feed } = editor();
    expect(feed('a\r\nb\n')).toEqual([
      { type: 'line', text: 'a' },
      { type: 'line', text: 'b' },
    ]);
  });

  test('escape sequences are swallowed, even when split between packets', () => {
    const { e, feed } = editor();
    feed('ab\x1b');
    feed('[1;5');
    feed('Cc\x1bOAd\x1b[200~e\x1b[201~');
    expect(e.line).toBe('abcde');
  });

  test('Ctrl+C drops the line, Ctrl+U erases it, Ctrl+D only ends an empty line, Ctrl+L clears', () => {
    const { e, feed, echoed } = editor();
    expect(feed('abc\x03')).toEqual([{ type: 'interrupt' }]);
    expect(echoed()).toBe('abc^C\r\n');
    feed('xy\x15');
    expect(e.line).toBe('');
    feed('z');
    expect(feed('\x04')).toEqual([]);
    feed('\x7f');
    expect(feed('\x04\x0c')).toEqual([{ type: 'eof' }, { type: 'clear' }]);
  });

  test('a line stops growing at MAX_LINE and rings the bell', () => {
    const { e, feed, echoed } = editor();
    feed('x'.repeat(MAX_LINE + 10));
    expect(e.line.length).toBe(MAX_LINE);
    expect(echoed().endsWith('\x07')).toBe(true);
  });
});

describe('parseWords', () => {
  const vars = { '?': '0', HOME: '/home/demo', USER: 'demo' };
  test('quotes, escapes and variables', () => {
    expect(parseWords(`echo  "a b"  'c $USER' $USER\\ x "$HOME/y" $? $NOPE`, vars)).toEqual(['echo', 'a b', 'c $USER', 'demo x', '/home/demo/y', '0']);
    expect(parseWords(`echo ""`, vars)).toEqual(['echo', '']);
  });
  test('unclosed quotes and shell operators are refused with a sentence', () => {
    expect(parseWords(`echo "open`, vars)).toEqual({ error: 'unexpected end of line: the double quote is not closed' });
    expect(parseWords('seq 10 > out', vars)).toMatchObject({ error: expect.stringContaining('redirections') });
    expect(parseWords('echo "a > b"', vars)).toEqual(['echo', 'a > b']);
  });
});

describe('MemoryFs', () => {
  const fs = demoFileSystem('demo', ['ls', 'cat']);
  test('resolves ~, ., .. and extra slashes', () => {
    expect(fs.resolve('/home/demo', 'notes/../notes//./todo.txt', '/home/demo')).toBe('/home/demo/notes/todo.txt');
    expect(fs.resolve('/tmp', '~', '/home/demo')).toBe('/home/demo');
    expect(fs.resolve('/', '../../..', '/home/demo')).toBe('/');
  });
  test('errors name the problem', () => {
    expect(() => fs.read('/home/demo/missing')).toThrow(new FsError('ENOENT', '/home/demo/missing'));
    expect(() => fs.get('/etc/hostname/x')).toThrow('Not a directory');
    expect(() => fs.read('/etc')).toThrow('Is a directory');
    expect(fs.list('/bin').map(([n]) => n)).toEqual(['cat', 'ls']);
  });
});
