// The one rule for a resource's address, used by every place that accepts one: the proxy's API
// and the offline demo's (both through validate.ts beside this file) and the console form
// (src/console/parse.ts). Pure TypeScript with no imports, so it runs in the browser and in Node.
//
// An address is one of:
//  - an IPv4 literal: four decimal numbers 0–255 without leading zeros (192.0.2.10);
//  - an IPv6 literal (RFC 4291 text form, optional "%zone"), bare or in brackets: "2001:db8::1" and
//    "[2001:db8::1]" are the same address, and the brackets are dropped before it is stored;
//  - a DNS host name (RFC 1123): dot-separated labels of letters, digits and hyphens, 1–63 characters
//    each, not starting or ending with a hyphen, at most 253 characters, an optional final dot. A name
//    whose labels are all numbers (or hexadecimal 0x… numbers) is refused: the system resolver would
//    read "10.1" or "0x7f.1" as an IPv4 address in a shortened form.
// Never a scheme, a user name, a port or a path: ports are set per protocol.

export type AddressKind = 'ipv4' | 'ipv6' | 'dns';

export type AddressCheck =
  | { ok: true; kind: AddressKind; /** As the proxy dials it: trimmed, without brackets. */ host: string }
  | { ok: false; /** A sentence for a person, starting with the field's label. */ message: string };

const EXAMPLE_V4 = 'like 192.0.2.10';

/** Why text is not an IPv4 literal, or null when it is one. */
export function ipv4Problem(text: string): string | null {
  const parts = text.split('.');
  if (parts.length !== 4) return `${text} has ${parts.length} number${parts.length === 1 ? '' : 's'}; an IPv4 address has four (${EXAMPLE_V4}).`;
  for (const p of parts) {
    if (p === '') return `${text} has an empty part; an IPv4 address is four numbers separated by dots (${EXAMPLE_V4}).`;
    if (!/^[0-9]+$/.test(p)) return `"${p}" in ${text} is not a decimal number.`;
    if (p.length > 1 && p[0] === '0') return `"${p}" in ${text} has a leading zero (some systems read it as octal); write it without.`;
    if (p.length > 3 || Number(p) > 255) return `${p} in ${text} is more than 255.`;
  }
  return null;
}

/** Why text is not an IPv6 literal (no brackets; a "%zone" allowed), or null when it is one ("it" is the text). */
export function ipv6Problem(text: string): string | null {
  let body = text;
  const pct = text.indexOf('%');
  if (pct >= 0) {
    const zone = text.slice(pct + 1);
    if (zone === '') return 'it ends in "%" with no zone (network interface) after it.';
    if (!/^[0-9A-Za-z.:-]+$/.test(zone)) return `its zone "%${zone}" may hold only letters, digits, dots, hyphens and colons.`;
    body = text.slice(0, pct);
  }
  const halves = body.split('::');
  if (halves.length > 2) return 'it has "::" more than once; "::" may stand for one run of zero groups only.';
  const groupsOf = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  const all = [...head, ...tail];
  // A dotted IPv4 part may end the address only (::ffff:192.0.2.10): it counts as two groups.
  let width = all.length;
  for (let i = 0; i < all.length; i++) {
    const g = all[i];
    if (g.includes('.')) {
      const last = i === all.length - 1 && (halves.length === 1 || tail.length > 0);
      if (!last) return `its IPv4 part "${g}" may come only at its end.`;
      const v4 = ipv4Problem(g);
      if (v4) return `its IPv4 part: ${v4}`;
      width += 1;
    } else if (g === '') {
      return 'it has an empty group (a single ":" at its start or end, or ":::"); "::" stands for a run of zeros.';
    } else if (!/^[0-9A-Fa-f]+$/.test(g)) {
      return `"${g}" is not a group of hexadecimal digits.`;
    } else if (g.length > 4) {
      return `the group "${g}" has more than four hexadecimal digits.`;
    }
  }
  if (halves.length === 2) {
    if (width > 7) return `it has ${width} groups beside "::", which stands for at least one: at most seven are allowed.`;
  } else if (width !== 8) {
    return `it has ${width} group${width === 1 ? '' : 's'}; without "::" an IPv6 address has eight.`;
  }
  return null;
}

/** 4 for an IPv4 literal, 6 for an IPv6 literal, else 0: the same answer as Node's net.isIP. */
export function ipVersion(text: string): 0 | 4 | 6 {
  if (ipv4Problem(text) === null) return 4;
  if (text.includes(':') && ipv6Problem(text) === null) return 6;
  return 0;
}

const INET_ATON_PART = /^(0x[0-9a-f]*|[0-9]+)$/i;

/** Why text is not a DNS host name, or null when it is one. */
function hostNameProblem(text: string): string | null {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length > 253) return `a host name may be at most 253 characters long; this one has ${name.length}.`;
  if (/[^\x21-\x7e]/.test(name)) {
    return /\s/.test(name)
      ? 'remove the spaces; a host name has none.'
      : 'write an internationalised host name in its ASCII form (xn--…).';
  }
  const bad = /[^A-Za-z0-9.-]/.exec(name);
  if (bad) return `a host name may hold only letters, digits, hyphens and dots, not "${bad[0]}".`;
  const labels = name.split('.');
  if (labels.some((l) => l === '')) return `${text} has an empty part: two dots in a row, or a dot at its start.`;
  for (const l of labels) {
    if (l.length > 63) return `the part "${l.slice(0, 20)}…" is ${l.length} characters long; each dot-separated part of a host name may have at most 63.`;
    if (l.startsWith('-') || l.endsWith('-')) return `the part "${l}" of ${text} may not start or end with a hyphen.`;
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1])) {
    // Meant as an IPv4 address: say what is wrong with it.
    if (name !== text && ipv4Problem(name) === null) return `write ${name} without the final dot.`;
    return labels.length === 4 && labels.every((l) => /^[0-9]+$/.test(l))
      ? `${ipv4Problem(name)}`
      : labels.length <= 4 && labels.every((l) => INET_ATON_PART.test(l))
        ? `${text} is an IPv4 address in a shortened form; write all four numbers (${EXAMPLE_V4}).`
        : `${text} ends in a number, so it is neither a host name nor an IPv4 address (${EXAMPLE_V4}).`;
  }
  if (labels.length <= 4 && labels.every((l) => INET_ATON_PART.test(l))) {
    return `${text} is an IPv4 address in hexadecimal; write it as four decimal numbers (${EXAMPLE_V4}).`;
  }
  return null;
}

/** The unspecified addresses name no machine (dialled, they reach the proxy itself). */
function isUnspecified(kind: AddressKind, host: string): boolean {
  if (kind === 'ipv4') return host === '0.0.0.0';
  if (kind !== 'ipv6') return false;
  const body = host.split('%')[0];
  return body.split(/[:.]/).every((g) => g === '' || /^0+$/.test(g));
}

/** Checks an address as typed; `label` starts every sentence ("Address: remove the port (22); …"). */
export function checkAddress(input: string, label = 'Address'): AddressCheck {
  const no = (why: string): AddressCheck => ({ ok: false, message: `${label}: ${why}` });
  const a = input.trim();
  if (a === '') return no('enter a host name or an IP address.');

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(a);
  if (scheme) return no(`remove the scheme (${scheme[1]}://); give a host name or an IP address only.`);
  const at = a.indexOf('@');
  if (at >= 0) return no(`remove the user name (${a.slice(0, at + 1)}); visitors sign in with their own.`);
  const slash = a.search(/[/?#]/);
  if (slash >= 0) return no(`remove the path (${a.slice(slash)}); give a host name or an IP address only.`);

  // In brackets: an IPv6 literal, optionally followed by a port.
  if (a.startsWith('[')) {
    const close = a.indexOf(']');
    if (close < 0) return no(`the "[" of ${a} has no matching "]".`);
    const inner = a.slice(1, close);
    const rest = a.slice(close + 1);
    const port = /^:([0-9]*)$/.exec(rest);
    if (port) return no(port[1] ? `remove the port (${port[1]}); ports are set per protocol below.` : 'remove the ":" at its end.');
    if (rest !== '') return no(`nothing may follow "]" in ${a}.`);
    if (ipv4Problem(inner) === null || !inner.includes(':')) {
      return no(`brackets are only for IPv6 addresses; write ${inner || 'the address'} without them.`);
    }
    const why = ipv6Problem(inner);
    if (why) return no(`${inner} is not an IPv6 address: ${why}`);
    return unspecified('ipv6', inner, no);
  }
  if (a.includes(']')) return no(`the "]" of ${a} has no matching "[".`);

  if (a.includes(':')) {
    // One colon (an IPv6 address has at least two): a name or an IPv4 address with a port.
    const hostPort = /^([^:]*):([^:]*)$/.exec(a);
    if (hostPort) {
      if (hostPort[2] === '') return no('remove the ":" at its end.');
      if (/^[0-9]+$/.test(hostPort[2])) return no(`remove the port (${hostPort[2]}); ports are set per protocol below.`);
      return no(`${a} is neither a host name (which has no ":") nor an IPv6 address (which has at least two).`);
    }
    const why = ipv6Problem(a);
    if (why) return no(`${a} is not an IPv6 address: ${why}`);
    return unspecified('ipv6', a, no);
  }

  if (ipv4Problem(a) === null) return unspecified('ipv4', a, no);
  const why = hostNameProblem(a);
  if (why) return no(why);
  return { ok: true, kind: 'dns', host: a };
}

function unspecified(kind: AddressKind, host: string, no: (why: string) => AddressCheck): AddressCheck {
  if (isUnspecified(kind, host)) return no(`${host} is the unspecified address and names no machine; give the machine's own address.`);
  return { ok: true, kind, host };
}
