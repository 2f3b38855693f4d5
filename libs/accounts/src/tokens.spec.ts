import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { InvalidTokenError, type InvalidTokenReason } from './errors.js';
import { DEFAULT_TOKEN_TTL_SECONDS, signAccessToken, verifyAccessToken } from './tokens.js';

const secret = 'a-test-secret-that-is-long-enough-0123456789';
const T0 = Date.parse('2026-03-02T09:00:00+08:00');
const at = (ms: number) => () => ms;
const subject = {
  userId: '0190c1d2-0000-7000-8000-000000000001',
  username: 'hd-dg-1.clerk',
  roles: ['clerk' as const],
  unitId: 'hd-dg-1',
  sessionId: '0190c1d2-0000-7000-8000-0000000000aa',
  sessionRevision: 3,
  mustChangePassword: false,
};

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
/** A token built by hand, signed with HMAC-SHA256 over header.payload. */
function handMade(header: unknown, payload: unknown, key = secret): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}
function decodePart(token: string, index: number): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
function reasonOf(fn: () => unknown): InvalidTokenReason | 'no error' {
  try {
    fn();
    return 'no error';
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as InvalidTokenError).code).toBe('invalid_token');
    return (error as InvalidTokenError).reason;
  }
}

describe('access tokens (HS256 JWT)', () => {
  it('signs a standard HS256 JWT with the claims sub, username, roles, unitId, sid, srv, mcp, iat and exp', () => {
    const token = signAccessToken(subject, { secret, now: at(T0 + 999) });
    const [header, payload, signature] = token.split('.');
    expect(decodePart(token, 0)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const iat = Math.floor(T0 / 1000);
    expect(decodePart(token, 1)).toEqual({
      sub: subject.userId,
      username: 'hd-dg-1.clerk',
      roles: ['clerk'],
      unitId: 'hd-dg-1',
      sid: subject.sessionId,
      srv: 3,
      mcp: false,
      iat,
      exp: iat + 8 * 3600,
    });
    // Any JWT library would accept it: the signature is HMAC-SHA256 of header.payload, base64url.
    expect(signature).toBe(createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url'));
    expect(token).not.toMatch(/[=+/]/);
    expect(DEFAULT_TOKEN_TTL_SECONDS).toBe(28800);
  });

  it('verifies its own tokens and returns the claims', () => {
    const token = signAccessToken(subject, { secret, now: at(T0) });
    const claims = verifyAccessToken(token, { secret, now: at(T0 + 60_000) });
    expect(claims).toMatchObject({ sub: subject.userId, username: subject.username, roles: ['clerk'], unitId: 'hd-dg-1' });
  });

  it('expires after the default 8 hours, or the configured lifetime', () => {
    const token = signAccessToken(subject, { secret, now: at(T0) });
    const exp = Math.floor(T0 / 1000) + 8 * 3600;
    expect(reasonOf(() => verifyAccessToken(token, { secret, now: at(exp * 1000 - 1) }))).toBe('no error');
    expect(reasonOf(() => verifyAccessToken(token, { secret, now: at(exp * 1000) }))).toBe('expired');
    expect(reasonOf(() => verifyAccessToken(token, { secret, now: at(T0 + 30 * 24 * 3600_000) }))).toBe('expired');

    const short = signAccessToken(subject, { secret, now: at(T0), expiresInSeconds: 60 });
    expect(decodePart(short, 1).exp).toBe(Math.floor(T0 / 1000) + 60);
    expect(reasonOf(() => verifyAccessToken(short, { secret, now: at(T0 + 59_000) }))).toBe('no error');
    expect(reasonOf(() => verifyAccessToken(short, { secret, now: at(T0 + 61_000) }))).toBe('expired');
    expect(() => signAccessToken(subject, { secret, now: at(T0), expiresInSeconds: 0 })).toThrow(RangeError);
  });

  it('refuses a token whose payload was changed (bad signature)', () => {
    const token = signAccessToken(subject, { secret, now: at(T0) });
    const [header, , signature] = token.split('.');
    const forged = `${header}.${b64({ ...decodePart(token, 1), roles: ['admin'], unitId: 'sf' })}.${signature}`;
    expect(reasonOf(() => verifyAccessToken(forged, { secret, now: at(T0) }))).toBe('bad_signature');
    // A flipped bit in the signature, a truncated signature, and an empty one.
    const flipped = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`;
    expect(reasonOf(() => verifyAccessToken(flipped, { secret, now: at(T0) }))).toBe('bad_signature');
    expect(reasonOf(() => verifyAccessToken(token.slice(0, -3), { secret, now: at(T0) }))).toBe('bad_signature');
    expect(reasonOf(() => verifyAccessToken(`${header}.${token.split('.')[1]}.`, { secret, now: at(T0) }))).toBe('bad_signature');
  });

  it('refuses a token signed with another secret', () => {
    const token = signAccessToken(subject, { secret: 'another-secret-another-secret-another', now: at(T0) });
    expect(reasonOf(() => verifyAccessToken(token, { secret, now: at(T0) }))).toBe('bad_signature');
  });

  it('refuses alg "none" and any algorithm but HS256', () => {
    const claims = decodePart(signAccessToken(subject, { secret, now: at(T0) }), 1);
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    expect(reasonOf(() => verifyAccessToken(none, { secret, now: at(T0) }))).toBe('unsupported_alg');
    for (const alg of ['HS512', 'RS256', 'hs256', undefined]) {
      expect(reasonOf(() => verifyAccessToken(handMade({ alg, typ: 'JWT' }, claims), { secret, now: at(T0) }))).toBe('unsupported_alg');
    }
    // The same claims, hand-signed as HS256, pass: the refusals above are about the algorithm.
    expect(reasonOf(() => verifyAccessToken(handMade({ alg: 'HS256', typ: 'JWT' }, claims), { secret, now: at(T0) }))).toBe('no error');
  });

  it('refuses malformed tokens', () => {
    const token = signAccessToken(subject, { secret, now: at(T0) });
    const [header, payload, signature] = token.split('.');
    for (const bad of [
      '',
      'abc',
      `${header}.${payload}`,
      `${token}.extra`,
      `not base64!.${payload}.${signature}`,
      `${b64('not json')}.${payload}.${signature}`,
      `${b64([1, 2])}.${payload}.${signature}`,
      `${header}.${payload}.${signature}==`,
      `${header}.${payload}.***`,
    ]) {
      expect(reasonOf(() => verifyAccessToken(bad, { secret, now: at(T0) }))).toBe('malformed');
    }
    // A correctly signed payload that is not JSON.
    const input = `${header}.${b64('not json')}`;
    const signedGarbage = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    expect(reasonOf(() => verifyAccessToken(signedGarbage, { secret, now: at(T0) }))).toBe('malformed');
  });

  it('refuses correctly signed tokens whose claims are missing or of the wrong kind', () => {
    const claims = decodePart(signAccessToken(subject, { secret, now: at(T0) }), 1);
    const variants: Record<string, unknown>[] = [
      { ...claims, sub: undefined },
      { ...claims, unitId: 42 },
      { ...claims, roles: 'clerk' },
      { ...claims, roles: ['clerk', 'superuser'] },
      { ...claims, exp: undefined },
      { ...claims, exp: String(claims.exp) },
      { ...claims, exp: claims.iat },
      // A token of before sessions (no session id) is refused: its holder logs in again.
      { ...claims, sid: undefined },
      { ...claims, srv: '3' },
      { ...claims, srv: -2 },
      { ...claims, mcp: 'no' },
    ];
    for (const payload of variants) {
      expect(reasonOf(() => verifyAccessToken(handMade({ alg: 'HS256', typ: 'JWT' }, payload), { secret, now: at(T0) }))).toBe('invalid_claims');
    }
  });
});
