// Which ends of an SSH session are reconnected by themselves, and the waits before each attempt.
import { describe, expect, test } from 'vitest';
import { MAX_ATTEMPTS, reconnectDelay, shouldAutoReconnect } from '../../../src/ssh/browser/auto-reconnect';

describe('shouldAutoReconnect', () => {
  test('a lost connection is', () => {
    expect(shouldAutoReconnect({ kind: 'unreachable', message: 'The connection to the server was lost.' })).toBe(true);
  });
  test.each([
    ['a shell that ended, or the visitor who disconnected', null],
    ['a refusal by the link\'s rules', { kind: 'refused', message: 'This link was deleted, so the session was ended.' } as const],
    ['a protocol error', { kind: 'protocol', message: 'bad MAC' } as const],
    ['a host key problem', { kind: 'host-key', message: 'changed' } as const],
    ['a failure that belongs beside a form field', { kind: 'unreachable', message: 'x', field: 'port' } as const],
  ])('%s is not', (_, error) => expect(shouldAutoReconnect(error)).toBe(false));
});

describe('reconnectDelay', () => {
  test('5 s, growing with each attempt, capped at 60 s', () => {
    expect([1, 2, 3, 4, 5, 6].map(reconnectDelay)).toEqual([5, 10, 20, 40, 60, 60]);
  });
  test('no more attempts after the last, and none for nonsense', () => {
    expect(reconnectDelay(MAX_ATTEMPTS)).toBe(60);
    expect(reconnectDelay(MAX_ATTEMPTS + 1)).toBeNull();
    expect(reconnectDelay(0)).toBeNull();
    expect(reconnectDelay(1.5)).toBeNull();
  });
});
