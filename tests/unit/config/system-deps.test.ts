// Every system file the tests and benchmarks name (a quoted /usr/…, /bin/… or /sbin/… path, or a
// program run by its bare name) comes from a Debian package that scripts/setup.sh installs, directly or
// as a dependency, or from one every Debian image has. Otherwise CI on a fresh machine fails or skips
// what passed where the package had been installed by hand.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineFacts, missingOnFreshMachine, neededSystemFiles, setupPackages, type Needed } from '../../support/system-deps';

const repo = join(__dirname, '../../..');
const setupScript = readFileSync(join(repo, 'scripts/setup.sh'), 'utf8');
const onDebian = existsSync('/var/lib/dpkg/status');

describe('system packages for the tests', () => {
  it('finds what the tests name, by path and by command', () => {
    const needed = neededSystemFiles(repo, ['tests', 'bench']);
    const paths = needed.filter((n) => !n.command).map((n) => n.path);
    expect(paths).toEqual(expect.arrayContaining(['/usr/bin/chromium', '/usr/sbin/sshd', '/usr/bin/xsetroot', '/usr/lib/postgresql']));
    const xsetroot = needed.find((n) => n.path === '/usr/bin/xsetroot')!;
    expect(xsetroot.namedIn).toContain('tests/support/xrdp.ts');
    expect(needed.filter((n) => n.command).map((n) => n.command)).toEqual(expect.arrayContaining(['ssh-keygen', 'openssl', 'python3']));
  });

  it('reads the packages scripts/setup.sh installs', () => {
    expect(setupPackages(setupScript)).toEqual(expect.arrayContaining(['chromium', 'xrdp', 'x11-xserver-utils', 'postgresql']));
  });

  it.skipIf(!onDebian && !process.env.CI)('every one comes from a package scripts/setup.sh installs', () => {
    const needed = neededSystemFiles(repo, ['tests', 'bench']);
    const problems = missingOnFreshMachine(needed, machineFacts(setupScript, needed));
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('says which path and which package when setup.sh leaves one out', () => {
    // The fault this check was made for: setup.sh did not install x11-xserver-utils.
    const xsetroot = ['', 'usr', 'bin', 'xsetroot'].join('/');
    const needed: Needed[] = [
      { path: xsetroot, namedIn: ['tests/support/xrdp.ts'] },
      { path: ['', 'usr', 'bin', 'ssh-keygen'].join('/'), command: 'ssh-keygen', namedIn: ['tests/support/sshd.ts'] },
      { path: '', command: 'no-such-tool', namedIn: ['tests/unit/x.test.ts'] },
    ];
    const problems = missingOnFreshMachine(needed, {
      provided: new Set(['xrdp', 'xorgxrdp']),
      owners: new Map([[xsetroot, ['x11-xserver-utils']], [needed[1].path, ['openssh-client']]]),
      exists: (p) => p !== '',
    });
    expect(problems).toEqual([
      `${xsetroot} (named in tests/support/xrdp.ts) comes from the Debian package x11-xserver-utils, which scripts/setup.sh ` +
        'does not install, directly or as a dependency: add x11-xserver-utils to its "want" table.',
      `The command ssh-keygen (${needed[1].path}) (named in tests/support/sshd.ts) comes from the Debian package openssh-client, ` +
        'which scripts/setup.sh does not install, directly or as a dependency: add openssh-client to its "want" table.',
      'The command no-such-tool (named in tests/unit/x.test.ts) is not on this machine, so no installed Debian package provides it: ' +
        'add the package that ships no-such-tool to the "want" table in scripts/setup.sh.',
    ]);
  });
});
