import { createHash, createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * The code a resident gets once, with the case number, to follow and rate their filing. Twelve
 * characters from an alphabet without look-alikes (no 0/O, 1/I/L): about 59 bits, so neither
 * guessing online (the public routes count wrong codes) nor offline from the stored digest pays.
 */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const ACCESS_CODE_LENGTH = 12;
/** What a code looks like, as a regular expression's source (for OpenAPI). */
export const ACCESS_CODE_PATTERN = `^[${ALPHABET}]{${ACCESS_CODE_LENGTH}}$`;

export function newAccessCode(): string {
  return Array.from({ length: ACCESS_CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

/**
 * The code of a filing made with an Idempotency-Key: derived from the case id with the
 * installation's secret, so that a retry can be answered the same code without the code being
 * kept anywhere. (Two bytes of the HMAC per character: the alphabet's bias is under 0.01%.)
 */
export function derivedAccessCode(secret: string, caseId: string): string {
  const mac = createHmac('sha256', secret).update(`minyi-access-code\n${caseId}`).digest();
  return Array.from({ length: ACCESS_CODE_LENGTH }, (_, i) => ALPHABET[mac.readUInt16BE(2 * i) % ALPHABET.length]).join('');
}

/** A code as typed: any letter case, spaces and dashes between groups are ignored. */
export function normaliseAccessCode(typed: string): string {
  return typed.replace(/[\s-]/g, '').toUpperCase();
}

/**
 * What the filing records instead of the code: SHA-256 of the case id and the code. The case id
 * salts it, so one digest says nothing about another case's code.
 */
export function accessCodeDigest(caseId: string, code: string): string {
  return createHash('sha256').update(`minyi-access-code\n${caseId}\n${normaliseAccessCode(code)}`).digest('hex');
}

/** Whether `typed` is the code whose digest the filing recorded; compared in constant time. */
export function accessCodeMatches(caseId: string, typed: string, digest: string): boolean {
  const candidate = Buffer.from(accessCodeDigest(caseId, typed), 'hex');
  const recorded = Buffer.from(digest, 'hex');
  return candidate.length === recorded.length && timingSafeEqual(candidate, recorded);
}
