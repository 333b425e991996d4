import { describe, expect, it } from 'vitest';
import { linkUrl, parseHash, routeHash } from '../../../src/app/router';

describe('hash routes', () => {
  it('parses every route the SPA knows', () => {
    expect(parseHash('')).toEqual({ name: 'home' });
    expect(parseHash('#/')).toEqual({ name: 'home' });
    expect(parseHash('#/l/abc_DEF-123')).toEqual({ name: 'link', token: 'abc_DEF-123' });
    expect(parseHash('#/signin/tok')).toEqual({ name: 'signin', token: 'tok' });
    expect(parseHash('#/console')).toEqual({ name: 'console', section: 'resources' });
    expect(parseHash('#/console/links')).toEqual({ name: 'console', section: 'links' });
    expect(parseHash('#/console/connect/r1')).toEqual({ name: 'console-connect', resourceId: 'r1' });
  });

  it('turns unknown or malformed paths into not-found instead of throwing', () => {
    expect(parseHash('#/console/nope')).toEqual({ name: 'not-found', path: '/console/nope' });
    expect(parseHash('#/l/')).toEqual({ name: 'not-found', path: '/l/' });
    expect(parseHash('#/l/a/b')).toEqual({ name: 'not-found', path: '/l/a/b' });
    expect(parseHash('#/l/%E0%A4%A')).toEqual({ name: 'link', token: '%E0%A4%A' });
  });

  it('round-trips through routeHash', () => {
    for (const h of ['#/l/x', '#/signin/y', '#/console/audit', '#/console/connect/r%2F1']) {
      expect(routeHash(parseHash(h))).toBe(h);
    }
  });

  it('builds a link URL from this page, whatever its path', () => {
    expect(linkUrl('T', { origin: 'https://example.org', pathname: '/tools/postern/' })).toBe(
      'https://example.org/tools/postern/#/l/T',
    );
  });
});
