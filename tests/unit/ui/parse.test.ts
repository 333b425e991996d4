import { describe, expect, it } from 'vitest';
import { FieldError, parsePorts, parseTokens, resourceDraft, resourceInput, signinTokenOf } from '../../../src/console/parse';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof FieldError) return e.field;
    throw e;
  }
  throw new Error('expected a FieldError');
}

describe('ports', () => {
  it('keeps order, drops duplicates, accepts commas and spaces', () => {
    expect(parsePorts('2222, 22 22,8022', 'sshPorts', 'SSH ports')).toEqual([2222, 22, 8022]);
  });
  it('names the bad value', () => {
    expect(() => parsePorts('22, 70000', 'sshPorts', 'SSH ports')).toThrow('"70000" is not a port number');
    expect(() => parsePorts('ssh', 'sshPorts', 'SSH ports')).toThrow('"ssh"');
    expect(() => parsePorts(' ', 'rdpPorts', 'RDP ports')).toThrow('RDP ports: enter at least one port.');
  });
});

describe('resource form', () => {
  it('defaults to SSH 22 and RDP 3389', () => {
    const input = resourceInput({ ...resourceDraft(), name: ' web ', address: '10.0.0.4' });
    expect(input).toEqual({ name: 'web', address: '10.0.0.4', ports: { ssh: [22], rdp: [3389] } });
  });
  it('names the first bad field', () => {
    const ok = { ...resourceDraft(), name: 'web', address: 'host.internal' };
    expect(fieldOf(() => resourceInput({ ...ok, name: '' }))).toBe('name');
    expect(fieldOf(() => resourceInput({ ...ok, address: 'ssh://host' }))).toBe('address');
    expect(fieldOf(() => resourceInput({ ...ok, address: 'host:22' }))).toBe('address');
    expect(fieldOf(() => resourceInput({ ...ok, ssh: false, rdp: false }))).toBe('protocols');
    expect(fieldOf(() => resourceInput({ ...ok, sshHostKeyFingerprint: 'MD5:aa' }))).toBe('sshHostKeyFingerprint');
    expect(fieldOf(() => resourceInput({ ...ok, rdpCertFingerprint: 'sha1:00' }))).toBe('rdpCertFingerprint');
  });
  it('accepts IPv6 addresses and normalises an RDP fingerprint written with colons', () => {
    const hex = 'AB:'.repeat(31) + 'AB';
    const input = resourceInput({ ...resourceDraft(), name: 'w', address: '::1', rdp: true, rdpCertFingerprint: hex });
    expect(input.address).toBe('::1');
    expect(input.rdpCertFingerprint).toBe('sha256:' + 'ab'.repeat(32));
    // openssl x509 -noout -fingerprint -sha256 prints the whole line; it is taken as it is.
    const printed = resourceInput({ ...resourceDraft(), name: 'w', address: 'h', rdp: true, rdpCertFingerprint: `sha256 Fingerprint=${hex}\n` });
    expect(printed.rdpCertFingerprint).toBe('sha256:' + 'ab'.repeat(32));
    expect(fieldOf(() => resourceInput({ ...resourceDraft(), name: 'w', address: 'h', rdp: true, rdpCertFingerprint: `sha1 Fingerprint=${hex}` })))
      .toBe('rdpCertFingerprint');
  });
  it('only sends the protocols ticked', () => {
    const input = resourceInput({ ...resourceDraft(), name: 'w', address: 'h', rdp: false, sshPorts: '22, 2222' });
    expect(input.ports).toEqual({ ssh: [22, 2222] });
  });
  it('round-trips an existing resource through the draft', () => {
    const r = { name: 'db', address: 'db.lan', ports: { rdp: [3390] }, sshHostKeyFingerprint: 'SHA256:' + 'A'.repeat(43) };
    expect(resourceInput(resourceDraft(r))).toEqual(r);
  });
});

describe('delete by token input', () => {
  it('takes tokens and full link URLs, one per line, without duplicates', () => {
    const text = 'abc\n\n  https://h.example/p/#/l/def  \nhttp://127.0.0.1:8080/#/l/abc\n';
    expect(parseTokens(text)).toEqual(['abc', 'def']);
  });
  it('refuses empty input and junk with spaces', () => {
    expect(() => parseTokens('  \n ')).toThrow('Paste at least one link or token');
    expect(() => parseTokens('not a token')).toThrow('is not a link or a token');
  });
});

describe('sign-in URLs', () => {
  it('finds the token in the URL the proxy returns', () => {
    expect(signinTokenOf('http://127.0.0.1:8080/#/signin/Zm9v')).toBe('Zm9v');
    expect(signinTokenOf('http://127.0.0.1:8080/')).toBeNull();
  });
});
