import { describe, expect, it } from '@jest/globals';
import { ACCESS_CODE_LENGTH, accessCodeDigest, accessCodeMatches, derivedAccessCode, newAccessCode, normaliseAccessCode } from './access-code.js';

const CASE_ID = '0195a1b2-0000-7000-8000-000000000001';
const CODE_PATTERN = /^[2-9A-HJ-KM-NP-Z]{12}$/;

describe('access codes', () => {
  it('are 12 characters without look-alikes, and differ each time', () => {
    const codes = Array.from({ length: 200 }, newAccessCode);
    for (const code of codes) expect(code).toMatch(CODE_PATTERN);
    expect(new Set(codes).size).toBe(codes.length);
    expect(ACCESS_CODE_LENGTH).toBe(12);
  });

  it('of a keyed filing follow from the case id and the secret alone', () => {
    const code = derivedAccessCode('s'.repeat(48), CASE_ID);
    expect(code).toMatch(CODE_PATTERN);
    expect(derivedAccessCode('s'.repeat(48), CASE_ID)).toBe(code);
    expect(derivedAccessCode('t'.repeat(48), CASE_ID)).not.toBe(code);
    expect(derivedAccessCode('s'.repeat(48), CASE_ID.replace(/1$/, '2'))).not.toBe(code);
  });

  it('match as typed in any case, grouped with spaces or dashes, and only for their own case', () => {
    const code = 'K7QM4XPR9TWD';
    const digest = accessCodeDigest(CASE_ID, code);
    expect(normaliseAccessCode('k7qm-4xpr 9twd')).toBe(code);
    expect(accessCodeMatches(CASE_ID, 'k7qm-4xpr-9twd', digest)).toBe(true);
    expect(accessCodeMatches(CASE_ID, 'K7QM4XPR9TWE', digest)).toBe(false);
    expect(accessCodeMatches(CASE_ID.replace(/1$/, '2'), code, digest)).toBe(false);
    expect(accessCodeMatches(CASE_ID, code, 'not hex')).toBe(false);
  });
});
