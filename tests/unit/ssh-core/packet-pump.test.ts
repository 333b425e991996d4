// The packet pump on its own, between two toy peers (support/pump-pair.ts): order under
// concurrent sealing and opening, holding during key exchange, read-ahead across NEWKEYS,
// byte-count rekeying, the one fatal path and the end of the stream. The real ciphers and key
// exchange are covered by the client tests and the interop suite against OpenSSH.

import { describe, expect, test } from 'vitest';
import { Msg } from '../../../src/ssh/core/wire/messages';
import { msg, pumpPair, settle, until } from './support/pump-pair';

async function established(options: Parameters<typeof pumpPair>[0] = {}) {
  const pair = pumpPair(options);
  pair.a.start();
  pair.b.start();
  if (!options.pipe) await pair.exchange();
  await until(() => pair.a.kexCount === 1 && pair.b.kexCount === 1, 'the first exchange');
  pair.a.events.splice(0);
  pair.b.events.splice(0);
  return pair;
}

const messages = (events: string[]) => events.filter((e) => e.startsWith('100,')).map((e) => Number(e.split(',')[1]));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('order', () => {
  test('sealing that finishes in reverse order still writes packets in sequence order', async () => {
    const { a, b, deliver } = await established();
    a.sealGate.held = true;
    for (const i of range(20)) a.send(msg(100, i));
    expect(a.sealGate.pending).toBe(20); // all sealing at once
    a.sealGate.releaseReversed();
    await deliver(a);
    // Each toy tag covers the sequence number: a packet written out of turn would fail it.
    expect(messages(b.events)).toEqual(range(20));
    expect(b.ends).toEqual([]);
  });

  test('opening that finishes in reverse order still hands payloads out in order', async () => {
    const { a, b, deliver } = await established();
    b.openGate.held = true;
    for (const i of range(20)) a.send(msg(100, i));
    await deliver(a);
    expect(b.openGate.pending).toBe(20); // the decoder read all of them ahead
    expect(b.events).toEqual([]);
    b.openGate.releaseReversed();
    await until(() => b.events.length === 20, 'twenty payloads');
    expect(messages(b.events)).toEqual(range(20));
  });

  test('packets read ahead under the old keys are read again under the new ones after NEWKEYS', async () => {
    const { a, b, queues, deliver } = await established();
    a.rekey();
    for (const i of range(5)) a.send(msg(100, i));
    await a.flushed();
    expect(queues.a.length).toBe(1); // KEXINIT only: the rest waits for our NEWKEYS
    await deliver(a); // b answers with KEXINIT and NEWKEYS
    await deliver(b); // a sends NEWKEYS, then the five under the new keys
    b.openGate.held = true;
    expect(await deliver(a)).toBe(6);
    expect(b.openGate.pending).toBe(6); // NEWKEYS and the five, all being opened under the old keys
    b.openGate.releaseReversed();
    await until(() => b.events.length === 7, 'the five after NEWKEYS');
    expect(b.events).toEqual(['kexinit', 'newkeys', '100,0', '100,1', '100,2', '100,3', '100,4']);
    expect(b.ends).toEqual([]);
    expect([a.kexCount, b.kexCount]).toEqual([2, 2]);
  });
});

describe('key exchange', () => {
  test('messages sent during an exchange wait for our NEWKEYS; transport messages do not', async () => {
    const { a, b, queues, exchange } = await established();
    a.rekey();
    a.send(msg(100, 1));
    a.send(Uint8Array.of(Msg.IGNORE));
    await a.flushed();
    expect(queues.a.length).toBe(2); // KEXINIT and IGNORE
    await exchange();
    expect(b.events).toEqual(['kexinit', 'newkeys', '100,1']);
  });

  test('passing rekeyBytes starts an exchange, and nothing is lost or reordered across it', async () => {
    const { a, b } = await established({ pipe: true, rekeyBytes: 4096 });
    for (const i of range(100)) a.send(msg(100, i, 200));
    await until(() => messages(b.events).length === 100 && !a.kexInProgress && !b.kexInProgress, 'a hundred messages and a quiet transport');
    expect(messages(b.events)).toEqual(range(100));
    expect(a.kexStarted + b.kexStarted).toBeGreaterThan(2); // the first on each side, then what the byte count called for
    expect(a.kexCount).toBeGreaterThan(1);
    expect(a.kexCount).toBe(b.kexCount);
    expect([...a.ends, ...b.ends]).toEqual([]);
  });

  test('under strict kex, KEXINIT must be the first packet', async () => {
    const { a, b, exchange } = pumpPair();
    a.start([Uint8Array.of(Msg.IGNORE)]);
    b.start();
    await exchange();
    const message = 'KEXINIT was not the first packet under strict key exchange';
    expect(b.ends).toEqual([{ kind: 'protocol-error', message }]);
    expect(a.ends).toEqual([{ kind: 'peer', message: `2 ${message}` }]);
  });

  test('without strict kex, the same IGNORE is harmless', async () => {
    const { a, b, exchange } = pumpPair({ strict: false });
    a.start([Uint8Array.of(Msg.IGNORE)]);
    b.start();
    await exchange();
    expect([a.kexCount, b.kexCount, a.strictKex]).toEqual([1, 1, false]);
    expect([...a.ends, ...b.ends]).toEqual([]);
  });

  test('a key exchange message outside an exchange is a protocol error', async () => {
    const { a, b, exchange } = await established();
    a.send(Uint8Array.of(Msg.NEWKEYS));
    await exchange();
    expect(b.ends).toEqual([{ kind: 'protocol-error', message: 'key exchange message 21 outside a key exchange' }]);
  });

  test('an unknown message is answered with UNIMPLEMENTED naming its sequence number', async () => {
    const { a, b, exchange } = await established();
    a.send(msg(100, 0));
    a.send(msg(100, 1));
    a.send(msg(200, 0));
    await exchange();
    expect(b.logs).toContain('unimplemented message 200');
    expect(a.logs).toContain('peer: unimplemented message (seq 2)'); // sequence numbers restarted at NEWKEYS (strict)
    expect([...a.ends, ...b.ends]).toEqual([]);
  });
});

describe('the one fatal path', () => {
  test('a packet that fails its integrity check ends the session once, with DISCONNECT MAC_ERROR', async () => {
    const { a, b, queues, deliver } = await established();
    a.send(msg(100, 1));
    a.send(msg(100, 2));
    await deliver(a, (bytes) => {
      bytes[6] ^= 1; // inside the first packet
      bytes[bytes.length - 3] ^= 1; // inside the second
    });
    expect(b.ends).toHaveLength(1);
    expect(b.ends[0].kind).toBe('integrity-failure');
    expect(b.ends[0].message).toMatch(/integrity check \(toy tag mismatch at seq 0\)/);
    expect(b.events).toEqual([]);
    expect(b.closed).toBe(true);
    await deliver(b);
    expect(a.ends).toEqual([{ kind: 'peer', message: `5 ${b.ends[0].message}` }]);
    await a.flushed();
    expect(queues.a).toEqual([]); // no DISCONNECT answers a DISCONNECT
  });

  test('fail() queues DISCONNECT, and flushed() waits until it is sealed and written', async () => {
    const { a, b } = await established({ pipe: true });
    a.sealGate.held = true;
    a.fail({ kind: 'closed', message: 'bye' });
    a.send(msg(100, 1)); // after the end: dropped
    expect(a.ends).toEqual([{ kind: 'closed', message: 'bye' }]);
    expect(a.sealGate.pending).toBe(1);
    let flushed = false;
    void a.flushed().then(() => (flushed = true));
    await settle();
    expect(flushed).toBe(false);
    a.sealGate.releaseReversed();
    await a.flushed();
    await until(() => b.ends.length > 0, 'b hears the DISCONNECT');
    expect(b.ends).toEqual([{ kind: 'peer', message: '2 bye' }]);
    expect(b.events).toEqual([]);
  });

  test('a stream end while packets are still being opened is reported after them', async () => {
    const { a, b, deliver } = await established();
    b.openGate.held = true;
    a.fail({ kind: 'closed', message: 'bye' });
    await deliver(a);
    expect(b.openGate.pending).toBe(1);
    b.streamClosed({ kind: 'lost', message: 'the stream ended' });
    expect(b.ends).toEqual([]);
    b.openGate.releaseReversed();
    await until(() => b.ends.length > 0, 'b ends');
    expect(b.ends).toEqual([{ kind: 'peer', message: '2 bye' }]); // the peer's last word, not "lost"
  });

  test('a stream end with nothing pending ends at once, without a DISCONNECT', async () => {
    const { b, queues } = await established();
    b.streamClosed({ kind: 'lost', message: 'the stream ended' });
    expect(b.ends).toEqual([{ kind: 'lost', message: 'the stream ended' }]);
    await b.flushed();
    expect(queues.b).toEqual([]);
  });
});
