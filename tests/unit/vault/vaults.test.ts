// The vault service over in-memory storage: the list/get split, wrong passphrases, keys made by the real
// ssh-keygen, rename and delete, damage in storage, auto-lock, and export to another "browser profile".
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { VaultError } from '../../../src/vault/errors';
import { Vaults } from '../../../src/vault/vaults';
import { opensshPublicLine, read, run, TempDir } from '../ssh-keys/tools';
import { MemoryStorage } from './memory-storage';

const PASS = 'a vault passphrase';
const FAST = { logN: 10, r: 8, p: 1 };

/** A manual timer queue, so auto-lock is tested by moving time ourselves, never by waiting. */
class Timers {
  private next = 1;
  readonly pending = new Map<number, { fn: () => void; at: number }>();
  now = 0;
  set = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.pending.set(id, { fn, at: this.now + ms });
    return id;
  };
  clear = (id: unknown) => void this.pending.delete(id as number);
  advance(ms: number) {
    this.now += ms;
    for (const [id, t] of [...this.pending]) {
      if (t.at <= this.now) {
        this.pending.delete(id);
        t.fn();
      }
    }
  }
}

const dir = new TempDir();
afterAll(() => dir.remove());

let storage: MemoryStorage;
let timers: Timers;
let vaults: Vaults;

function makeVaults(s: MemoryStorage) {
  return new Vaults(s, { params: async () => FAST, setTimer: timers.set, clearTimer: timers.clear });
}

async function refusal(p: Promise<unknown>): Promise<VaultError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof VaultError) return e;
    throw e;
  }
  throw new Error('was not refused');
}

beforeEach(() => {
  storage = new MemoryStorage();
  timers = new Timers();
  vaults = makeVaults(storage);
});

describe('creating, listing, unlocking', () => {
  it('lists secret names while locked, and needs the passphrase for values', async () => {
    const id = await vaults.create('Work', PASS, PASS);
    await vaults.generate(id, 'deploy', 'ed25519', 'me@work');
    vaults.lock(id);
    const [v] = await vaults.list();
    expect(v).toMatchObject({ id, name: 'Work', unlocked: false, autoLockMinutes: 15 });
    expect(v.secrets.map((s) => s.name)).toEqual(['deploy']);
    expect((await refusal(vaults.privateKey(id, 'deploy'))).kind).toBe('locked');
    await vaults.unlock(id, PASS);
    const { key, text } = await vaults.privateKey(id, 'deploy');
    expect(key.type).toBe('ssh-ed25519');
    expect(text).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
  });

  it('a wrong passphrase says so and changes nothing', async () => {
    const id = await vaults.create('Work', PASS, PASS);
    await vaults.generate(id, 'deploy', 'ecdsa-p256');
    vaults.lock(id);
    const before = storage.snapshot();
    const e = await refusal(vaults.unlock(id, PASS + '!'));
    expect(e.kind).toBe('wrong-passphrase');
    expect(e.message).toBe('The passphrase is wrong.');
    expect(vaults.isUnlocked(id)).toBe(false);
    expect(storage.snapshot()).toEqual(before);
  });

  it('refuses short or mismatched new passphrases and bad names, with sentences', async () => {
    expect((await refusal(vaults.create('W', 'short', 'short'))).message).toMatch(/at least 8 characters/);
    expect((await refusal(vaults.create('W', PASS, PASS + 'x'))).message).toMatch(/different/);
    expect((await refusal(vaults.create('  ', PASS, PASS))).message).toBe('Enter a name for the vault.');
    expect((await refusal(vaults.create('a\nb', PASS, PASS))).kind).toBe('invalid-name');
    expect(storage.vaults.size).toBe(0);
  });

  it('keeps several vaults apart', async () => {
    const a = await vaults.create('A', PASS, PASS);
    const b = await vaults.create('B', 'another passphrase', 'another passphrase');
    await vaults.generate(a, 'k', 'ed25519');
    vaults.lockAll();
    expect((await refusal(vaults.unlock(b, PASS))).kind).toBe('wrong-passphrase');
    await vaults.unlock(b, 'another passphrase');
    expect((await vaults.list()).map((v) => [v.name, v.unlocked, v.secrets.length])).toEqual([
      ['A', false, 1],
      ['B', true, 0],
    ]);
  });
});

describe('keys', () => {
  it('imports an encrypted ssh-keygen key once, and seals it decrypted (OpenSSH reads the export)', async () => {
    const path = dir.file('id_ed25519_enc');
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'key pass', '-C', 'imported', '-f', path]);
    const id = await vaults.create('Work', PASS, PASS);
    // The SSH key reader's own errors (KeyError) come through with their kinds and sentences.
    await expect(vaults.importKey(id, 'x', read(path))).rejects.toMatchObject({ kind: 'passphrase-required' });
    await expect(vaults.importKey(id, 'x', read(path), 'nope')).rejects.toMatchObject({ kind: 'wrong-passphrase' });
    expect(storage.secrets.size).toBe(0);
    await vaults.importKey(id, 'imported', read(path), 'key pass');
    const [details] = await vaults.keys(id);
    expect(details).toMatchObject({ ok: true, keyType: 'ssh-ed25519', comment: 'imported' });
    if (!details.ok) throw details.error;
    expect(details.publicKey).toBe(read(path + '.pub').trim());

    const exported = dir.write('exported', await vaults.exportKey(id, 'imported', 'export pass'));
    expect(opensshPublicLine(exported, 'export pass')).toBe(read(path + '.pub').trim().split(' ').slice(0, 2).join(' ') + ' imported');
    const plain = dir.write('exported-plain', await vaults.exportKey(id, 'imported'));
    expect(opensshPublicLine(plain)).toContain(details.publicKey.split(' ')[1]);
  });

  it('imports PEM and PKCS#8 forms too', async () => {
    const id = await vaults.create('Work', PASS, PASS);
    const pem = dir.file('id_rsa_pem');
    run('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-f', pem]);
    const p8 = dir.file('id_ecdsa_p8');
    run('ssh-keygen', ['-q', '-t', 'ecdsa', '-b', '384', '-m', 'PKCS8', '-N', '', '-f', p8]);
    await vaults.importKey(id, 'pem', read(pem));
    await vaults.importKey(id, 'p8', read(p8));
    expect((await vaults.keys(id)).map((k) => (k.ok ? k.keyType : k.error.message))).toEqual(['ecdsa-sha2-nistp384', 'ssh-rsa']);
  });

  it('generates each offered type', async () => {
    const id = await vaults.create('Work', PASS, PASS);
    await vaults.generate(id, 'e', 'ed25519');
    await vaults.generate(id, 'p', 'ecdsa-p256');
    await vaults.generate(id, 'r', 'rsa-3072');
    const keys = await vaults.keys(id);
    expect(keys.map((k) => (k.ok ? k.keyType : 'damaged'))).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ssh-rsa']);
    const rsa = dir.write('rsa', await vaults.exportKey(id, 'r', 'pw'));
    expect(opensshPublicLine(rsa, 'pw')).toMatch(/^ssh-rsa /);
  });

  it('renames by re-sealing; a taken name is refused and nothing changes', async () => {
    const id = await vaults.create('Work', PASS, PASS);
    await vaults.generate(id, 'old', 'ed25519');
    await vaults.generate(id, 'other', 'ed25519');
    const sealedBefore = storage.raw(id, 'old').sealed.slice();
    const before = storage.snapshot();
    expect((await refusal(vaults.rename(id, 'old', 'other'))).kind).toBe('name-taken');
    expect(storage.snapshot()).toEqual(before);
    const publicBefore = (await vaults.privateKey(id, 'old')).key.publicBlob;
    await vaults.rename(id, 'old', 'new');
    expect((await vaults.list())[0].secrets.map((s) => s.name)).toEqual(['new', 'other']);
    expect(storage.raw(id, 'new').sealed).not.toEqual(sealedBefore);
    expect((await vaults.privateKey(id, 'new')).key.publicBlob).toEqual(publicBefore);
  });

  it('deletes a key', async () => {
    const id = await vaults.create('Work', PASS, PASS);
    await vaults.generate(id, 'gone', 'ed25519');
    await vaults.deleteKey(id, 'gone');
    expect((await vaults.list())[0].secrets).toEqual([]);
    expect((await refusal(vaults.privateKey(id, 'gone'))).kind).toBe('not-found');
  });
});

describe('damage in storage', () => {
  it('an altered byte in a stored secret marks that key damaged and leaves the others usable', async () => {
    const id = await vaults.create('Work', PASS, PASS);
    await vaults.generate(id, 'good', 'ed25519');
    await vaults.generate(id, 'bad', 'ed25519');
    vaults.lock(id); // drop what was parsed, so the next read decrypts again
    storage.raw(id, 'bad').sealed[40] ^= 1;
    await vaults.unlock(id, PASS);
    const keys = await vaults.keys(id);
    expect(keys.map((k) => [k.name, k.ok])).toEqual([['bad', false], ['good', true]]);
    const bad = keys[0];
    if (bad.ok) throw new Error('unreachable');
    expect(bad.error.message).toBe('The stored key "bad" has been altered or damaged; nothing was decrypted.');
  });

  it('sealed values swapped between two names both refuse to open', async () => {
    const id = await vaults.create('Work', PASS, PASS);
    await vaults.generate(id, 'one', 'ed25519');
    await vaults.generate(id, 'two', 'ed25519');
    vaults.lock(id);
    const a = storage.raw(id, 'one');
    const b = storage.raw(id, 'two');
    [a.sealed, b.sealed] = [b.sealed, a.sealed];
    await vaults.unlock(id, PASS);
    expect((await vaults.keys(id)).every((k) => !k.ok && k.error.kind === 'damaged')).toBe(true);
  });

  it('an altered vault header is refused as damage, not as a wrong passphrase', async () => {
    const id = await vaults.create('Work', PASS, PASS);
    vaults.lock(id);
    storage.vaults.get(id)!.header[30] ^= 1;
    const e = await refusal(vaults.unlock(id, PASS));
    expect(e.kind).toBe('damaged');
    expect(e.message).toBe("This vault's data has been altered or damaged; nothing was decrypted.");
  });
});

describe('auto-lock', () => {
  it('locks after the idle time, restarted by each use; configurable; and on demand', async () => {
    const id = await vaults.create('Work', PASS, PASS);
    await vaults.generate(id, 'k', 'ed25519');
    let changes = 0;
    const off = vaults.subscribe(() => changes++);
    timers.advance(14 * 60_000);
    await vaults.privateKey(id, 'k'); // a use: the 15 minutes start again
    timers.advance(14 * 60_000);
    expect(vaults.isUnlocked(id)).toBe(true);
    timers.advance(60_000);
    expect(vaults.isUnlocked(id)).toBe(false);
    expect(changes).toBe(1);
    off();

    await vaults.setAutoLock(id, 2);
    await vaults.unlock(id, PASS);
    timers.advance(2 * 60_000);
    expect(vaults.isUnlocked(id)).toBe(false);
    expect((await refusal(vaults.setAutoLock(id, 0))).kind).toBe('invalid-setting');
    expect((await vaults.list())[0].autoLockMinutes).toBe(2);

    await vaults.unlock(id, PASS);
    vaults.lock(id);
    expect(vaults.isUnlocked(id)).toBe(false);
    expect(timers.pending.size).toBe(0);
  });

  it('listing the keys is not a use: the panel re-reads them after every change, and the vault still locks on time', async () => {
    const id = await vaults.create('Work', PASS, PASS);
    await vaults.generate(id, 'k', 'ed25519');
    timers.advance(14 * 60_000);
    expect((await vaults.keys(id)).map((k) => k.name)).toEqual(['k']);
    timers.advance(60_000);
    expect(vaults.isUnlocked(id)).toBe(false);
  });
});

describe('export and import of a whole vault', () => {
  it('opens in another "profile" with the same passphrase, and holds no plaintext', async () => {
    const id = await vaults.create('Travel', PASS, PASS);
    await vaults.generate(id, 'laptop', 'ed25519', 'laptop-comment');
    const original = (await vaults.privateKey(id, 'laptop')).text;
    const file = await vaults.exportVault(id);
    expect(file).not.toContain('laptop-comment');
    expect(file).not.toContain(original.split('\n')[1]);

    const other = makeVaults(new MemoryStorage());
    const imported = await other.importVault(file);
    expect(imported).toBe(id);
    const [v] = await other.list();
    expect(v).toMatchObject({ name: 'Travel', unlocked: false, secrets: [{ name: 'laptop' }] });
    expect((await refusal(other.unlock(id, 'not it at all'))).kind).toBe('wrong-passphrase');
    await other.unlock(id, PASS);
    expect((await other.privateKey(id, 'laptop')).text).toBe(original);
    expect((await refusal(other.importVault(file))).kind).toBe('already-here');
  });

  it('refuses files that are not vault exports, or whose sealed data was altered', async () => {
    const id = await vaults.create('Travel', PASS, PASS);
    await vaults.generate(id, 'laptop', 'ed25519');
    const file = JSON.parse(await vaults.exportVault(id));
    const other = makeVaults(new MemoryStorage());
    expect((await refusal(other.importVault('not json'))).kind).toBe('bad-file');
    expect((await refusal(other.importVault('{"format":"something-else"}'))).kind).toBe('bad-file');
    const header = Uint8Array.from(atob(file.header), (c) => c.charCodeAt(0));
    header[50] ^= 1;
    const altered = { ...file, header: btoa(String.fromCharCode(...header)) };
    expect((await refusal(other.importVault(JSON.stringify(altered)))).kind).toBe('damaged');
    expect((await refusal(other.importVault(JSON.stringify({ ...file, version: 2 })))).kind).toBe('unsupported');

    // A renamed secret in the file imports, but is refused when opened: the name is sealed in.
    const renamed = { ...file, secrets: [{ ...file.secrets[0], name: 'desktop' }] };
    await other.importVault(JSON.stringify(renamed));
    await other.unlock(id, PASS);
    const [k] = await other.keys(id);
    expect(k).toMatchObject({ name: 'desktop', ok: false });
  });
});
