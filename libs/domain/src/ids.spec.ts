import { describe, expect, it } from '@jest/globals';
import { isUuid } from './ids.js';

describe('isUuid', () => {
  it('takes UUIDs of any version in either case, and nothing else', () => {
    expect(isUuid('0195a1b2-0000-7000-8000-000000000001')).toBe(true);
    expect(isUuid('0195A1B2-0000-7000-8000-00000000000F')).toBe(true);
    expect(isUuid('00000000-0000-0000-0000-000000000000')).toBe(true);
    expect(isUuid('0195a1b2-0000-7000-8000-00000000000')).toBe(false);
    expect(isUuid(' 0195a1b2-0000-7000-8000-000000000001')).toBe(false);
    expect(isUuid('MY-2026-000001')).toBe(false);
  });
});
