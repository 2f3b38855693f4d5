import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Role } from '#domain';
import { InvalidTokenError } from './errors.js';
import { isRole } from './types.js';

/**
 * Access tokens: JSON Web Tokens signed with HMAC-SHA256 (HS256), built on node:crypto alone.
 * Only HS256 is accepted on the way in; `none` and every other algorithm are refused before the
 * signature is looked at. Times in the claims are JWT NumericDates (whole seconds); `now()`
 * returns milliseconds since the epoch, like Date.now.
 */

export const DEFAULT_TOKEN_TTL_SECONDS = 8 * 60 * 60;

export interface AccessTokenClaims {
  /** The user id. */
  readonly sub: string;
  readonly username: string;
  readonly roles: readonly Role[];
  readonly unitId: string;
  /** The session id (a UUID): logging out ends it. */
  readonly sid: string;
  /** The account's revision at login. */
  readonly srv: number;
  /** Must change the password before anything else. */
  readonly mcp: boolean;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  /** Expires at, seconds since the epoch; the token is refused from this second on. */
  readonly exp: number;
}

export interface TokenSubject {
  readonly userId: string;
  readonly username: string;
  readonly roles: readonly Role[];
  readonly unitId: string;
  readonly sessionId: string;
  readonly sessionRevision: number;
  readonly mustChangePassword: boolean;
}

export interface SignOptions {
  readonly secret: string;
  readonly now: () => number;
  /** Lifetime in seconds; 8 hours when omitted. */
  readonly expiresInSeconds?: number;
}

export interface VerifyOptions {
  readonly secret: string;
  readonly now: () => number;
}

const HEADER = { alg: 'HS256', typ: 'JWT' } as const;
const ENCODED_HEADER = base64url(JSON.stringify(HEADER));
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

function decodeBase64url(text: string): Buffer | null {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return null;
  const bytes = Buffer.from(text, 'base64url');
  // Only the canonical unpadded form: no second spelling of the same token.
  return bytes.toString('base64url') === text ? bytes : null;
}

function hmac(secret: string, signingInput: string): Buffer {
  return createHmac('sha256', secret).update(signingInput, 'ascii').digest();
}

function checkSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('the token secret must be a non-empty string');
}

function parseJsonObject(bytes: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Signs an access token for the subject; returns the compact JWT. */
export function signAccessToken(subject: TokenSubject, options: SignOptions): string {
  checkSecret(options.secret);
  const ttl = options.expiresInSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0) throw new RangeError(`token lifetime must be a positive whole number of seconds, not ${ttl}`);
  const iat = Math.floor(options.now() / 1000);
  const claims: AccessTokenClaims = {
    sub: subject.userId,
    username: subject.username,
    roles: [...subject.roles],
    unitId: subject.unitId,
    sid: subject.sessionId,
    srv: subject.sessionRevision,
    mcp: subject.mustChangePassword,
    iat,
    exp: iat + ttl,
  };
  const signingInput = `${ENCODED_HEADER}.${base64url(JSON.stringify(claims))}`;
  return `${signingInput}.${hmac(options.secret, signingInput).toString('base64url')}`;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function readClaims(payload: Record<string, unknown>): AccessTokenClaims {
  const { sub, username, roles, unitId, sid, srv, mcp, iat, exp } = payload;
  const problem =
    typeof sub !== 'string' || sub === ''
      ? 'sub'
      : typeof username !== 'string' || username === ''
        ? 'username'
        : !Array.isArray(roles) || !roles.every(isRole)
          ? 'roles'
          : typeof unitId !== 'string' || unitId === ''
            ? 'unitId'
            : typeof sid !== 'string' || sid === ''
              ? 'sid'
              : typeof srv !== 'number' || !Number.isSafeInteger(srv) || srv < -1
                ? 'srv'
                : typeof mcp !== 'boolean'
                  ? 'mcp'
                  : !isNumericDate(iat)
              ? 'iat'
              : !isNumericDate(exp) || exp <= iat
                ? 'exp'
                : null;
  if (problem) throw new InvalidTokenError('invalid_claims', `claim "${problem}" is missing or invalid`);
  return {
    sub: sub as string,
    username: username as string,
    roles: [...(roles as Role[])],
    unitId: unitId as string,
    sid: sid as string,
    srv: srv as number,
    mcp: mcp as boolean,
    iat: iat as number,
    exp: exp as number,
  };
}

/**
 * Verifies a compact JWT and returns its claims, or throws InvalidTokenError whose `reason`
 * says what was wrong: malformed, unsupported_alg, bad_signature, expired or invalid_claims.
 */
export function verifyAccessToken(token: string, options: VerifyOptions): AccessTokenClaims {
  checkSecret(options.secret);
  if (typeof token !== 'string' || token.length > 8192) throw new InvalidTokenError('malformed');
  const parts = token.split('.');
  if (parts.length !== 3) throw new InvalidTokenError('malformed', 'a JWT has three parts');
  const [headerText, payloadText, signatureText] = parts as [string, string, string];

  const headerBytes = decodeBase64url(headerText);
  const header = headerBytes && parseJsonObject(headerBytes);
  if (!header) throw new InvalidTokenError('malformed', 'the header is not base64url JSON');
  if (header.alg !== 'HS256') throw new InvalidTokenError('unsupported_alg', `alg ${JSON.stringify(header.alg)} is not accepted`);
  if (header.typ !== undefined && header.typ !== 'JWT') throw new InvalidTokenError('malformed', 'typ is not JWT');
  if (header.crit !== undefined) throw new InvalidTokenError('malformed', 'critical header parameters are not supported');

  const signature = decodeBase64url(signatureText);
  if (!signature) throw new InvalidTokenError('malformed', 'the signature is not base64url');
  const expected = hmac(options.secret, `${headerText}.${payloadText}`);
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    throw new InvalidTokenError('bad_signature');
  }

  const payloadBytes = decodeBase64url(payloadText);
  const payload = payloadBytes && parseJsonObject(payloadBytes);
  if (!payload) throw new InvalidTokenError('malformed', 'the payload is not base64url JSON');
  const claims = readClaims(payload);
  if (Math.floor(options.now() / 1000) >= claims.exp) throw new InvalidTokenError('expired');
  return claims;
}
