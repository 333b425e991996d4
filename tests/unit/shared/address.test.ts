// The one address rule (src/shared/rules/address.ts): each refusal's sentence, what is accepted, and its
// IP literal parser cross-checked against Node's net.isIP over a generated corpus. The proxy's and the
// demo's validators must both use it and answer alike.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkAddress, ipVersion } from '../../../src/shared/rules/address.ts';
// The proxy's API and the offline demo's both validate with this one module.
import { resourceInput as sharedResourceInput } from '../../../src/shared/rules/validate.ts';
import { resourceDraft, resourceInput as formResourceInput } from '../../../src/console/parse';

const refusal = (a: string) => {
  const r = checkAddress(a);
  if (r.ok) throw new Error(`${JSON.stringify(a)} was accepted as ${r.kind}`);
  return r.message;
};

describe('the address rule refuses, with a sentence naming the field', () => {
  const cases: [string, RegExp][] = [
    ['10.0.0.1:22', /^Address: remove the port \(22\); ports are set per protocol below\.$/],
    ['db.internal:2222', /^Address: remove the port \(2222\)/],
    ['[2001:db8::1]:3389', /^Address: remove the port \(3389\)/],
    ['db.internal:', /^Address: remove the ":" at its end\.$/],
    [':::::', /^Address: ::::: is not an IPv6 address: it has "::" more than once/],
    [':::', /^Address: ::: is not an IPv6 address: it has an empty group/],
    ['1:2:3:4:5:6:7', /it has 7 groups; without "::" an IPv6 address has eight\.$/],
    ['1:2:3:4:5:6:7:8:9', /it has 9 groups; without "::" an IPv6 address has eight\.$/],
    ['1:2:3:4::5:6:7:8', /it has 8 groups beside "::"/],
    ['12345::1', /the group "12345" has more than four hexadecimal digits\.$/],
    ['fe80::g1', /"g1" is not a group of hexadecimal digits\.$/],
    ['1.2.3.4::', /its IPv4 part "1\.2\.3\.4" may come only at its end\.$/],
    ['::ffff:1.2.3.256', /its IPv4 part: 256 in 1\.2\.3\.256 is more than 255\.$/],
    ['fe80::1%', /^Address: fe80::1% is not an IPv6 address: it ends in "%" with no zone \(network interface\) after it\.$/],
    ['dead:beef', /^Address: dead:beef is neither a host name \(which has no ":"\) nor an IPv6 address \(which has at least two\)\.$/],
    ['fe80::1%eth/0', /remove the path/],
    ['fe80::1%eth_0', /its zone "%eth_0" may hold only letters/],
    ['[10.0.0.1]', /^Address: brackets are only for IPv6 addresses; write 10\.0\.0\.1 without them\.$/],
    ['[db.internal]', /brackets are only for IPv6 addresses/],
    ['[::1', /^Address: the "\[" of \[::1 has no matching "\]"\.$/],
    ['::1]', /^Address: the "\]" of ::1\] has no matching "\["\.$/],
    ['[::1]x', /nothing may follow "\]"/],
    ['0.0.0.0', /^Address: 0\.0\.0\.0 is the unspecified address and names no machine/],
    ['::', /^Address: :: is the unspecified address/],
    ['[0:0:0:0:0:0:0:0]', /is the unspecified address/],
    ['10.0.0.256', /^Address: 256 in 10\.0\.0\.256 is more than 255\.$/],
    ['010.0.0.1', /^Address: "010" in 010\.0\.0\.1 has a leading zero/],
    ['10.0.0.1.', /^Address: write 10\.0\.0\.1 without the final dot\.$/],
    ['1.2.3', /^Address: 1\.2\.3 is an IPv4 address in a shortened form; write all four numbers/],
    ['2130706433', /is an IPv4 address in a shortened form/],
    ['0x7f.1', /is an IPv4 address in a shortened form/],
    ['0x7f000001', /is an IPv4 address in hexadecimal; write it as four decimal numbers/],
    ['1.2.3.4.5', /ends in a number, so it is neither a host name nor an IPv4 address/],
    ['host.123', /ends in a number/],
    ['http://db.internal', /^Address: remove the scheme \(http:\/\/\); give a host name or an IP address only\.$/],
    ['ssh://root@db', /remove the scheme \(ssh:\/\/\)/],
    ['root@db.internal', /^Address: remove the user name \(root@\); visitors sign in with their own\.$/],
    ['db.internal/admin', /^Address: remove the path \(\/admin\)/],
    ['db.internal?x=1', /remove the path \(\?x=1\)/],
    ['db internal', /^Address: remove the spaces; a host name has none\.$/],
    ['bücher.example', /^Address: write an internationalised host name in its ASCII form \(xn--…\)\.$/],
    ['db_1.internal', /^Address: a host name may hold only letters, digits, hyphens and dots, not "_"\.$/],
    ['db..internal', /has an empty part: two dots in a row, or a dot at its start\.$/],
    ['.internal', /has an empty part/],
    ['-db.internal', /the part "-db" of -db\.internal may not start or end with a hyphen\.$/],
    ['db-.internal', /may not start or end with a hyphen/],
    [`${'a'.repeat(64)}.example`, /is 64 characters long; each dot-separated part of a host name may have at most 63\.$/],
    [`${'a'.repeat(60)}.`.repeat(4) + 'abcdefghij', /^Address: a host name may be at most 253 characters long; this one has 254\.$/],
    ['', /^Address: enter a host name or an IP address\.$/],
  ];
  it.each(cases)('%j', (input, message) => {
    expect(refusal(input)).toMatch(message);
  });

  it('starts with the label it is given', () => {
    const r = checkAddress('10.0.0.1:22', 'Target');
    expect(r).toEqual({ ok: false, message: 'Target: remove the port (22); ports are set per protocol below.' });
  });
});

describe('the address rule accepts', () => {
  const cases: [string, string, string][] = [
    ['192.0.2.10', 'ipv4', '192.0.2.10'],
    ['127.0.0.1', 'ipv4', '127.0.0.1'],
    ['255.255.255.255', 'ipv4', '255.255.255.255'],
    ['2001:db8::1', 'ipv6', '2001:db8::1'],
    ['[2001:db8::1]', 'ipv6', '2001:db8::1'],
    ['  [::1]  ', 'ipv6', '::1'],
    ['::ffff:192.0.2.10', 'ipv6', '::ffff:192.0.2.10'],
    ['1:2:3:4:5:6:7::', 'ipv6', '1:2:3:4:5:6:7::'],
    ['FE80::1%eth0', 'ipv6', 'FE80::1%eth0'],
    ['db.internal', 'dns', 'db.internal'],
    ['db.internal.', 'dns', 'db.internal.'],
    ['localhost', 'dns', 'localhost'],
    ['xn--bcher-kva.example', 'dns', 'xn--bcher-kva.example'],
    ['3com.example', 'dns', '3com.example'],
    ['0x7f.example', 'dns', '0x7f.example'],
    [`${'a'.repeat(63)}.example`, 'dns', `${'a'.repeat(63)}.example`],
    [`${'a'.repeat(61)}.`.repeat(4) + 'ab.', 'dns', `${'a'.repeat(61)}.`.repeat(4) + 'ab.'],
  ];
  it.each(cases)('%j as %s', (input, kind, host) => {
    expect(checkAddress(input)).toEqual({ ok: true, kind, host });
  });
});

// ---- A generated corpus of IP literals, valid and not, to hold the parser to Node's net.isIP. ----

/** A small seeded PRNG (mulberry32): the corpus is the same on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function corpus(count: number): string[] {
  const rnd = prng(0x5eed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const hex = '0123456789abcdefABCDEF';
  // Clean parts make valid literals; noisy ones are often invalid (leading zeros, > 255, 5 hex digits…).
  const octet = (clean: boolean) => clean
    ? pick([String(int(256)), String(int(10)), String(200 + int(56))])
    : pick([String(int(256)), String(int(300)), `0${int(10)}`, '', ' 1', '-1', '0x1']);
  const v4 = (clean: boolean) => Array.from({ length: clean ? 4 : pick([4, 4, 3, 5, 1]) }, () => octet(clean)).join('.');
  const group = (clean: boolean) => Array.from({ length: clean ? 1 + int(4) : pick([1, 4, 5, 6]) },
    () => (clean ? pick([...hex]) : pick([...hex, 'g', 'G', 'x', ' ']))).join('');
  const v6 = (clean: boolean) => {
    const groups = Array.from({ length: clean ? 8 : pick([8, 7, 6, 9, 2]) }, () => group(clean));
    // An IPv4 tail takes the place of the last two groups.
    const tail4: string[] = [];
    if (rnd() < 0.25) {
      groups.splice(-2);
      tail4.push(v4(clean));
    }
    let text: string;
    if (rnd() < 0.6) {
      // "::" for a run of at least one group.
      const at = clean ? int(groups.length) : int(groups.length + 1);
      const len = clean ? 1 + int(groups.length - at) : int(3);
      text = `${groups.slice(0, at).join(':')}::${[...groups.slice(at + len), ...tail4].join(':')}`;
    } else {
      text = [...groups, ...tail4].join(':');
    }
    if (rnd() < 0.1) text += '%' + (clean ? pick(['eth0', 'en0.1', 'a-b', 'x:y', '25']) : pick(['', 'e_1', 'a b', '%']));
    return text;
  };
  const mutate = (s: string) => {
    const i = int(s.length + 1);
    switch (int(6)) {
      case 0: return s.slice(0, i) + pick([':', '.', '::', 'g', ' ', '%', '[', '0']) + s.slice(i);
      case 1: return s.slice(0, i) + s.slice(i + 1);
      case 2: return s.replace('::', ':::');
      case 3: return s + pick([':', '.', '::', ':0']);
      case 4: return pick([':', '.', '::']) + s;
      default: return s.toUpperCase();
    }
  };
  const fixed = [
    '', ':', '::', ':::', '::::', ':::::', '::1', '1::', '::ffff:1.2.3.4', '::1.2.3.4', '1.2.3.4::', '::1.2.3',
    '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6::8', '1:2:3:4:5:6:7:8:9', '1:2:3:4::5:6:7:8',
    '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', '1::2::3', 'fe80::1%eth0', 'fe80::1%', '%eth0', '1.2.3.4%eth0',
    '0.0.0.0', '255.255.255.255', '256.0.0.0', '01.2.3.4', '1.2.3', '1.2.3.4.5', '1..2.3', ' 1.2.3.4', '1.2.3.4 ',
    '[::1]', '10.0.0.1:22', '0x7f.0.0.1', '١.٢.٣.٤',
  ];
  const out = new Set(fixed);
  while (out.size < count) {
    const clean = rnd() < 0.6;
    let s = rnd() < 0.4 ? v4(clean) : v6(clean);
    if (clean && rnd() < 0.3) s = mutate(s);
    out.add(s);
  }
  return [...out];
}

describe('the IP literal parser agrees with Node', () => {
  const texts = corpus(20_000);

  it('ipVersion equals net.isIP on every literal of the corpus, valid or not', () => {
    const versions = { 0: 0, 4: 0, 6: 0 };
    const disagree: string[] = [];
    for (const s of texts) {
      const v = ipVersion(s);
      versions[v]++;
      if (v !== net.isIP(s)) disagree.push(`${JSON.stringify(s)}: ours ${v}, node ${net.isIP(s)}`);
    }
    expect(disagree).toEqual([]);
    // The corpus really holds both kinds of each.
    expect(versions[4]).toBeGreaterThan(2000);
    expect(versions[6]).toBeGreaterThan(2000);
    expect(versions[0]).toBeGreaterThan(5000);
  });

  it('checkAddress accepts exactly the literals Node accepts (bar the unspecified ones), and brackets change nothing', () => {
    for (const s of texts) {
      if (s.trim() !== s || s.includes('[') || s.includes(']')) continue;
      const v = net.isIP(s);
      const r = checkAddress(s);
      if (v !== 0) {
        if (r.ok) expect(r, s).toEqual({ ok: true, kind: `ipv${v}`, host: s });
        else expect(r.message, s).toMatch(/is the unspecified address/);
        if (v === 6) expect(checkAddress(`[${s}]`), s).toEqual(r);
      } else if (s.includes(':') || /^[0-9.]+$/.test(s)) {
        // Not an IP literal, and cannot be a host name either: refused.
        expect(r.ok, s).toBe(false);
      }
    }
  });
});

describe('every enforcer uses the one rule', () => {
  const sample = [...corpus(400), '10.0.0.1:22', ':::::', 'db.internal', '[::1]', 'http://x', 'a_b', 'bücher.de', '1.2.3'];
  const body = (address: string) => ({ name: 'n', address, ports: { ssh: [22] } });
  const outcome = (f: () => { address: string }) => {
    try {
      return { address: f().address };
    } catch (err) {
      const e = err as Error & { field?: string };
      return { field: e.field, message: e.message };
    }
  };

  it('the API rules (the proxy and the offline demo) and the console form answer alike', () => {
    for (const a of sample) {
      if (a.trim() === '' || a.length > 253) continue;
      const proxy = outcome(() => sharedResourceInput(body(a)));
      const rule = checkAddress(a);
      expect(proxy, a).toEqual(rule.ok ? { address: rule.host } : { field: 'address', message: rule.message });
      expect(outcome(() => formResourceInput({ ...resourceDraft(), name: 'n', address: a, rdp: false })), a).toEqual(proxy);
    }
  });
});
