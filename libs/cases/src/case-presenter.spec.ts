import { describe, expect, it } from '@jest/globals';
import { maskPhone } from './case-presenter.js';

describe('maskPhone', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['+86 138-1234-5678', '861******5678'],
    ['87654321', '******21'],
    ['7654321', '*****21'],
    ['0571-8765432', '057****5432'],
    ['876-54321', '******21'],
    ['12345', '*****'],
    ['', ''],
  ])('masks %j as %j: at most the last 4 digits of a mobile number, the last 2 of a shorter one', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });
});
