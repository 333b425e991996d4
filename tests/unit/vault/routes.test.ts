import { describe, expect, it } from 'vitest';
import { parseHash, routeHash } from '../../../src/app/router';

describe('vault and known-hosts routes', () => {
  it('parses and round-trips #/keys and #/known-hosts', () => {
    expect(parseHash('#/keys')).toEqual({ name: 'keys' });
    expect(parseHash('#/known-hosts')).toEqual({ name: 'known-hosts' });
    for (const h of ['#/keys', '#/known-hosts']) expect(routeHash(parseHash(h))).toBe(h);
  });

  it('sends deeper paths to not-found rather than guessing', () => {
    expect(parseHash('#/keys/abc')).toEqual({ name: 'not-found', path: '/keys/abc' });
    expect(parseHash('#/known-hosts/x')).toEqual({ name: 'not-found', path: '/known-hosts/x' });
  });
});
