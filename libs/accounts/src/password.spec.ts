import { describe, expect, it } from '@jest/globals';
import { scrypt } from 'node:crypto';
import { SCRYPT_DEFAULTS, hashPassword, parsePasswordHash, verifyPassword } from './password.js';

function flipBase64Char(text: string, index: number): string {
  const c = text[index];
  return text.slice(0, index) + (c === 'A' ? 'B' : 'A') + text.slice(index + 1);
}

describe('password hashing', () => {
  it('stores scrypt$N$r$p$salt$hash with the N asked for (here 16384), r=8, p=1, a 16-byte salt and a 64-byte key', async () => {
    const stored = await hashPassword('correct horse', 16384);
    const parts = stored.split('$');
    expect(parts.slice(0, 4)).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(parts[4]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[5]!, 'base64')).toHaveLength(64);
    // The key is really scrypt of the password with that salt and those parameters.
    const expected = await new Promise<Buffer>((resolve, reject) =>
      scrypt('correct horse', Buffer.from(parts[4]!, 'base64'), 64, { N: 16384, r: 8, p: 1 }, (e, k) => (e ? reject(e) : resolve(k))),
    );
    expect(parts[5]).toBe(expected.toString('base64'));
    expect(parsePasswordHash(stored)).toMatchObject({ N: 16384, r: SCRYPT_DEFAULTS.r, p: SCRYPT_DEFAULTS.p });
  });

  it('salts every hash afresh', async () => {
    const [a, b] = await Promise.all([hashPassword('same', 2 ** 14), hashPassword('same', 2 ** 14)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same', a)).toBe(true);
    expect(await verifyPassword('same', b)).toBe(true);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('示范密码-demo12345', 2 ** 14);
    expect(await verifyPassword('示范密码-demo12345', stored)).toBe(true);
    expect(await verifyPassword('示范密码-demo1234', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('matches the same text however its characters are composed (NFC)', async () => {
    const composed = 'caf\u00e9-password';
    const decomposed = 'cafe\u0301-password';
    const stored = await hashPassword(composed, 2 ** 14);
    expect(await verifyPassword(decomposed, stored)).toBe(true);
  });

  it('refuses a tampered stored string: key, salt or parameters changed', async () => {
    const stored = await hashPassword('secret-pass', 2 ** 14);
    const parts = stored.split('$');
    const withKey = (key: string) => [...parts.slice(0, 5), key].join('$');
    const withSalt = (salt: string) => [...parts.slice(0, 4), salt, parts[5]].join('$');
    expect(await verifyPassword('secret-pass', withKey(flipBase64Char(parts[5]!, 3)))).toBe(false);
    expect(await verifyPassword('secret-pass', withSalt(flipBase64Char(parts[4]!, 3)))).toBe(false);
    expect(await verifyPassword('secret-pass', ['scrypt', '8192', ...parts.slice(2)].join('$'))).toBe(false);
    expect(await verifyPassword('secret-pass', ['scrypt', '16384', '8', '2', ...parts.slice(4)].join('$'))).toBe(false);
  });

  it('refuses stored strings that are not hashes, without throwing', async () => {
    const stored = await hashPassword('secret-pass', 2 ** 14);
    const parts = stored.split('$');
    const bad = [
      '',
      'secret-pass',
      stored.replace(/^scrypt/, 'bcrypt'),
      parts.slice(0, 5).join('$'),
      [...parts, 'extra'].join('$'),
      ['scrypt', '1000', ...parts.slice(2)].join('$'), // N not a power of two
      ['scrypt', String(2 ** 24), ...parts.slice(2)].join('$'), // N beyond the limit
      ['scrypt', '016384', ...parts.slice(2)].join('$'),
      [...parts.slice(0, 5), parts[5]!.slice(0, 8)].join('$'), // key too short
      [...parts.slice(0, 5), `${parts[5]!.slice(0, -1)}!`].join('$'),
    ];
    for (const text of bad) {
      expect(parsePasswordHash(text)).toBeNull();
      expect(await verifyPassword('secret-pass', text)).toBe(false);
    }
  });

  it('does not block the event loop while hashing or verifying', async () => {
    let ticked = false;
    const hashing = hashPassword('non-blocking', 2 ** 14);
    setImmediate(() => (ticked = true));
    const stored = await hashing;
    expect(ticked).toBe(true);

    ticked = false;
    const verifying = verifyPassword('non-blocking', stored);
    setImmediate(() => (ticked = true));
    expect(await verifying).toBe(true);
    expect(ticked).toBe(true);
  });
});
