// Node-side helpers for running the SSH core in tests: a net.Socket ByteStream adapter and
// small conveniences for connecting, signing in and collecting a channel's output.

import { connect as tcpConnect, type Socket } from 'node:net';
import { connectSsh, type ByteStream, type ConnectOptions } from '../../src/ssh/core/stream';
import { SshError } from '../../src/ssh/core/wire/errors';
import type { SshClient } from '../../src/ssh/core/client';
import type { SshChannel } from '../../src/ssh/core/channel';

/** A connected net.Socket as a ByteStream; rejects with a readable error if the port is closed. */
export function socketStream(host: string, port: number): Promise<ByteStream> {
  return new Promise((resolve, reject) => {
    const socket: Socket = tcpConnect({ host, port });
    let opened = false;
    let closeError: SshError | undefined;
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const err = new SshError('stream-error', e.code === 'ECONNREFUSED' ? `Connection refused by ${host}:${port}.` : `Network error talking to ${host}:${port}: ${e.message}`);
      if (!opened) reject(err);
      else closeError = err;
    });
    socket.once('connect', () => {
      opened = true;
      socket.setNoDelay(true);
      resolve({
        write: (bytes) => void socket.write(bytes),
        close: () => void socket.end(),
        onData: (h) => {
          const f = (b: Buffer) => h(new Uint8Array(b.buffer, b.byteOffset, b.length));
          socket.on('data', f);
          return () => void socket.off('data', f);
        },
        onClose: (h) => {
          const f = () => h(closeError);
          socket.once('close', f);
          return () => void socket.off('close', f);
        },
      });
    });
  });
}

export type TestConnectOptions = Partial<ConnectOptions> & { acceptHostKey?: boolean };

/** Connects and accepts the host key (unless told otherwise); resolves when sign-in may begin. */
export async function connectClient(stream: ByteStream, opts: TestConnectOptions = {}): Promise<SshClient> {
  const client = connectSsh(stream, { username: 'postern-test', ...opts });
  if (opts.acceptHostKey !== false) client.on('hostKey', () => client.acceptHostKey());
  await client.ready;
  return client;
}

/** Collects channel output until `predicate(text)` holds; rejects if the channel closes first. */
export function waitForOutput(channel: SshChannel, predicate: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const decoder = new TextDecoder();
    const offData = channel.on('data', (bytes) => {
      text += decoder.decode(bytes, { stream: true });
      if (predicate(text)) {
        offData();
        offClose();
        resolve(text);
      }
    });
    const offClose = channel.on('close', (error) => {
      offData();
      reject(error ?? new Error(`channel closed; output so far:\n${text}`));
    });
  });
}

/** All output of a channel until it closes, plus its exit information. */
export function collectUntilClose(channel: SshChannel): Promise<{ output: string; exit: SshChannel['exit'] }> {
  return new Promise((resolve, reject) => {
    let output = '';
    const decoder = new TextDecoder();
    channel.on('data', (bytes) => (output += decoder.decode(bytes, { stream: true })));
    channel.on('stderr', (bytes) => (output += decoder.decode(bytes, { stream: true })));
    channel.on('close', (error) => (error ? reject(error) : resolve({ output, exit: channel.exit })));
  });
}
