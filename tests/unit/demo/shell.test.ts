// The demo shell in a pty session, driven through the real client core: echo, line editing,
// commands over the in-memory file system, window-change, big output under flow control, Ctrl+C,
// exit status.

import { describe, expect, test } from 'vitest';
import { LOCAL_WINDOW } from '../../../src/ssh/core/channel';
import { OUTPUT_HIGH_WATER, SERVER_WINDOW } from '../../../src/ssh/server/index';
import { settle, shell, signedIn, Terminal } from './support';
import { parseOsc7 } from '../../../src/terminal/osc7';
import { osc7 } from '../../../src/demo/shell/shell';

describe('interactive shell with a pty', () => {
  test('greets, echoes what is typed, runs echo hi with CR LF line ends', async () => {
    const p = await signedIn();
    const term = await shell(p);
    expect(term.text).toContain('Welcome to the Postern demo machine.');
    expect(term.raw).toContain('\x1b[1;32mdemo@postern-demo\x1b[0m'); // a coloured prompt on a pty
    expect(await term.run('echo hi')).toBe('hi\r\n');
    expect(term.text).toContain('$ echo hi\r\nhi\r\n');
    p.client.close();
  });

  test('each prompt says the folder in OSC 7, percent-encoded, as the Files panel reads it', async () => {
    const p = await signedIn();
    const term = await shell(p);
    expect(term.raw).toContain('\x1b]7;file://postern-demo/home/demo\x1b\\');
    await term.run('cd notes');
    // eslint-disable-next-line no-control-regex -- OSC sequences begin with ESC
    const payloads = [...term.raw.matchAll(/\x1b\]7;([^\x1b]*)\x1b\\/g)].map((m) => m[1]);
    expect(payloads.at(-1)).toBe('file://postern-demo/home/demo/notes');
    expect(parseOsc7(payloads.at(-1)!)).toBe('/home/demo/notes');
    const named = osc7('/tmp/été 1?');
    expect(named).toBe('\x1b]7;file://postern-demo/tmp/%C3%A9t%C3%A9%201%3F\x1b\\');
    expect(parseOsc7(named.slice(4, -2))).toBe('/tmp/été 1?');
    p.client.close();
  });

  test('stty size follows pty-req, then window-change', async () => {
    const p = await signedIn();
    const term = await shell(p, { cols: 80, rows: 24 });
    expect(await term.run('stty size')).toBe('24 80\r\n');
    term.channel.resize(132, 43);
    expect(await term.run('stty size')).toBe('43 132\r\n');
    p.client.close();
  });

  test('files: ls, cd, pwd, cat, and the errors people know', async () => {
    const p = await signedIn();
    const term = await shell(p);
    expect(await term.run('pwd')).toBe('/home/demo\r\n');
    expect(await term.run('ls')).toBe('README.txt  notes\r\n');
    expect(await term.run('ls -a')).toBe('.profile  README.txt  notes\r\n');
    expect(await term.run('cd notes')).toBe('');
    expect(term.text).toMatch(/demo@postern-demo:~\/notes\$ $/);
    expect(await term.run('cat todo.txt')).toContain('sign in as demo / demo\r\n');
    expect(await term.run('cat ../README.txt')).toContain('This machine runs inside your browser.');
    expect(await term.run('cd /nowhere')).toBe('cd: /nowhere: No such file or directory\r\n');
    expect(await term.run('cat /etc')).toBe('cat: /etc: Is a directory\r\n');
    expect(await term.run('echo $?')).toBe('1\r\n');
    expect(await term.run('cd')).toBe('');
    expect(await term.run('pwd')).toBe('/home/demo\r\n');
    expect(await term.run('ls /etc')).toBe('hostname  motd  os-release\r\n');
    p.client.close();
  });

  test('whoami, uname -a, date, help, unknown commands, quotes', async () => {
    const p = await signedIn();
    const term = await shell(p);
    expect(await term.run('whoami')).toBe('demo\r\n');
    expect(await term.run('uname -a')).toBe('Postern postern-demo 1.0-demo #1 SSH server in a Web Worker js Postern demo\r\n');
    expect(await term.run('date')).toMatch(/^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}\r\n$/);
    const help = await term.run('help');
    for (const name of ['ls', 'cd', 'pwd', 'cat', 'echo', 'whoami', 'uname', 'date', 'stty', 'clear', 'exit', 'seq']) expect(help).toContain(`  ${name} `);
    expect(await term.run('frobnicate')).toBe('demo-sh: frobnicate: command not found (type "help" for the list)\r\n');
    expect(await term.run('echo $?')).toBe('127\r\n');
    expect(await term.run(`echo "two  spaces" 'and $USER' $USER`)).toBe('two  spaces and $USER demo\r\n');
    expect(await term.run('ls | wc')).toContain('pipes, redirections and command lists are not part of the demo shell');
    p.client.close();
  });

  test('backspace edits the line; escape sequences (arrow keys) are not inserted', async () => {
    const p = await signedIn();
    const term = await shell(p);
    term.channel.write('echo hx\x7fi\x1b[A\x1b[D\r');
    await term.until((t) => /\r\nhi\r\n/.test(t));
    expect(term.raw).toContain('hx\b \bi');
    p.client.close();
  });

  test('exit 3 ends the session with exit status 3, then the channel closes', async () => {
    const p = await signedIn();
    const term = await shell(p);
    const exit = new Promise((r) => term.channel.on('exit', r));
    const closed = new Promise((r) => term.channel.on('close', r));
    term.channel.write('exit 3\r');
    expect(await exit).toEqual({ code: 3 });
    await closed;
    p.client.close();
  });

  test('Ctrl+D on an empty line logs out with status 0', async () => {
    const p = await signedIn();
    const term = await shell(p);
    const exit = new Promise((r) => term.channel.on('exit', r));
    term.channel.write('\x04');
    expect(await exit).toEqual({ code: 0 });
    expect(term.text).toMatch(/logout\r\n$/);
    p.client.close();
  });

  test('exec ignores an early EOF on its input and still prints everything', async () => {
    const p = await signedIn();
    const channel = await p.client.exec('seq 400000'); // more than the client's window, so the EOF arrives mid-output
    channel.eof();
    const term = new Terminal(channel);
    const exit = new Promise((r) => channel.on('exit', r));
    expect(await exit).toEqual({ code: 0 });
    expect(term.text.endsWith('\n399999\n400000\n')).toBe(true);
    p.client.close();
  });

  test('exec runs one command without a pty and reports its status', async () => {
    const p = await signedIn();
    const channel = await p.client.exec('ls /nope');
    const term = new Terminal(channel);
    const exit = new Promise((r) => channel.on('exit', r));
    expect(await exit).toEqual({ code: 2 });
    expect(term.text).toBe("ls: cannot access '/nope': No such file or directory\n");
    p.client.close();
  });
});

describe('flow control', () => {
  test('seq 1000000 stops at the client window, the server queues little, and all of it arrives once consumed', async () => {
    const p = await signedIn();
    const term = await shell(p, { cols: 80, rows: 24 }, 'manual');
    term.channel.write('seq 1000000\r');
    await term.until(() => term.channel.receiveWindow === 0);
    await settle();
    // The window is exactly used up, and the shell paused instead of queueing megabytes.
    expect(term.channel.receiveWindow).toBe(0);
    expect(term.received).toBeLessThanOrEqual(LOCAL_WINDOW);
    expect(p.session.bufferedOutput).toBeGreaterThan(0);
    expect(p.session.bufferedOutput).toBeLessThan(OUTPUT_HIGH_WATER + 32 * 1024);

    let acked = term.received;
    term.channel.consume(acked);
    term.channel.on('data', (bytes) => {
      acked += bytes.length;
      term.channel.consume(bytes.length);
    });
    await term.prompt();
    const lines = term.text.split('\r\n');
    const first = lines.indexOf('1');
    expect(lines[first + 999_999]).toBe('1000000');
    expect(lines.slice(first, first + 1_000_000).every((l, i) => l === String(i + 1))).toBe(true);
    expect(await term.run('echo $?')).toBe('0\r\n');
    p.client.close();
  });

  test('Ctrl+C interrupts a long command; the shell prompts again with status 130', async () => {
    const p = await signedIn();
    const term = await shell(p, { cols: 80, rows: 24 }, 'manual');
    term.channel.write('seq 1000000\r');
    await term.until(() => term.channel.receiveWindow === 0);
    term.channel.write('\x03');
    term.channel.consume(term.received);
    term.channel.on('data', (bytes) => term.channel.consume(bytes.length));
    await term.prompt();
    expect(term.text).toContain('^C\r\n');
    expect(term.text).not.toContain('\r\n1000000\r\n');
    expect(await term.run('echo $?')).toBe('130\r\n');
    p.client.close();
  });

  test('input larger than the server window gets through (WINDOW_ADJUST), and long lines are capped', async () => {
    const p = await signedIn();
    const term = await shell(p);
    term.channel.write('x'.repeat(3 * SERVER_WINDOW));
    term.channel.write('\x15echo ok\r'); // Ctrl+U clears the long line first
    await term.until((t) => t.includes('\r\nok\r\n'));
    expect(term.channel.bufferedAmount).toBe(0);
    expect(term.raw).toContain('\x07'); // the bell: the line stopped growing at its limit
    expect(term.received).toBeLessThan(64 * 1024);
    p.client.close();
  });
});
