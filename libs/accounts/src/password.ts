import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt. A stored hash describes itself:
 *
 *     scrypt$<N>$<r>$<p>$<salt, base64>$<key, base64>
 *
 * so the cost can be raised later while old hashes still verify. Passwords are compared as
 * UTF-8 of their NFC form, so the same text typed through different input methods matches.
 */

/** N = 2^17 (about 0.4 s and 128 MiB per hash on a 2020s server core); r = 8, p = 1. */
export const SCRYPT_DEFAULTS = { N: 2 ** 17, r: 8, p: 1, keyLength: 64, saltLength: 16 } as const;

/** The costs an installation may choose (PASSWORD_SCRYPT_LOG2N): below 2^14 is too weak, above 2^20 too slow. */
export const SCRYPT_LOG2N_RANGE = { min: 14, max: 20 } as const;

/** Bounds on the parameters read back from a stored hash, so a bad row cannot exhaust memory. */
const LIMITS = { maxN: 2 ** 20, maxR: 32, maxP: 16, minKey: 16, maxKey: 128, minSalt: 8, maxSalt: 64 } as const;

interface ParsedHash {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function derive(password: string, salt: Buffer, keyLength: number, N: number, r: number, p: number): Promise<Buffer> {
  // scrypt needs about 128 * N * r bytes; allow twice that so raised costs do not hit the default cap.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(Buffer.from(password.normalize('NFC'), 'utf8'), salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Hashes a password with a fresh random salt (runs on the libuv thread pool). */
export async function hashPassword(password: string, N: number = SCRYPT_DEFAULTS.N): Promise<string> {
  if (typeof password !== 'string') throw new TypeError('password must be a string');
  const { r, p, keyLength, saltLength } = SCRYPT_DEFAULTS;
  const salt = randomBytes(saltLength);
  const key = await derive(password, salt, keyLength, N, r, p);
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

const POSITIVE_INT = /^[1-9][0-9]{0,7}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decodeBase64(text: string): Buffer | null {
  if (!BASE64.test(text) || text.length % 4 !== 0) return null;
  const bytes = Buffer.from(text, 'base64');
  // Only the canonical encoding is accepted: no two strings stand for one hash.
  return bytes.toString('base64') === text ? bytes : null;
}

/** Reads a stored hash; null when it is not one this module wrote or could have written. */
export function parsePasswordHash(stored: string): ParsedHash | null {
  if (typeof stored !== 'string') return null;
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, nText, rText, pText, saltText, keyText] = parts as [string, string, string, string, string, string];
  if (![nText, rText, pText].every((t) => POSITIVE_INT.test(t))) return null;
  const N = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  if (N < 2 || N > LIMITS.maxN || (N & (N - 1)) !== 0 || r > LIMITS.maxR || p > LIMITS.maxP) return null;
  const salt = decodeBase64(saltText);
  const key = decodeBase64(keyText);
  if (!salt || !key) return null;
  if (salt.length < LIMITS.minSalt || salt.length > LIMITS.maxSalt) return null;
  if (key.length < LIMITS.minKey || key.length > LIMITS.maxKey) return null;
  return { N, r, p, salt, key };
}

/**
 * True when the password matches the stored hash. A stored string that is not a valid hash
 * never matches (false, not an error), so a damaged row locks its user out instead of crashing
 * a login.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (typeof password !== 'string') return false;
  const parsed = parsePasswordHash(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.key.length, parsed.N, parsed.r, parsed.p);
  return timingSafeEqual(key, parsed.key);
}


/**
 * Hashing at the installation's cost. A hash made at a lower cost (or other parameters) still
 * verifies; `needsRehash` says when to store a new one, which login does on the next success.
 */
export class PasswordHasher {
  readonly N: number;

  constructor(log2N: number = Math.log2(SCRYPT_DEFAULTS.N)) {
    if (!Number.isInteger(log2N) || log2N < SCRYPT_LOG2N_RANGE.min || log2N > SCRYPT_LOG2N_RANGE.max) {
      throw new RangeError(`the scrypt cost must be 2^${SCRYPT_LOG2N_RANGE.min} to 2^${SCRYPT_LOG2N_RANGE.max}, not 2^${log2N}`);
    }
    this.N = 2 ** log2N;
  }

  hash(password: string): Promise<string> {
    return hashPassword(password, this.N);
  }

  verify(password: string, stored: string): Promise<boolean> {
    return verifyPassword(password, stored);
  }

  /** Whether a stored hash was made with weaker or other parameters than this hasher's. */
  needsRehash(stored: string): boolean {
    const parsed = parsePasswordHash(stored);
    return parsed === null || parsed.N < this.N || parsed.r !== SCRYPT_DEFAULTS.r || parsed.p !== SCRYPT_DEFAULTS.p || parsed.key.length !== SCRYPT_DEFAULTS.keyLength;
  }
}
