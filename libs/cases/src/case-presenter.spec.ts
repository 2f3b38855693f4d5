import { describe, expect, it } from '@jest/globals';
import type { ExistingCase } from '#domain';
import { actors, caseIn, org } from '../../domain/src/testing/fixtures.js';
import { filerView, isWithheldFiler, maskPhone, presentFiler } from './case-presenter.js';

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

describe('filerView: the one rule for what a reader sees of the filer', () => {
  const anonymous = { name: '李四', phone: '13812345678', anonymous: true };
  // Filed at the community, now at the street above it.
  const escalated: ExistingCase = { ...caseIn('filed', 'hd-dg'), filedUnitId: 'hd-dg-1', filer: anonymous };
  const atCommunity: ExistingCase = { ...escalated, unitId: 'hd-dg-1' };

  it('names an anonymous filer only to users at the filing unit; the phone whole only to a clerk or coordinator acting on the case', () => {
    expect(filerView(atCommunity, actors.hdDg1Coordinator, org)).toBe('whole');
    expect(filerView(escalated, actors.hdDg1Coordinator, org)).toBe('masked');
    for (const reader of [actors.hdDgCoordinator, actors.hdDgLeader, actors.auditor, actors.cityLeader, null]) {
      expect(filerView(escalated, reader, org)).toBe('withheld');
      expect(filerView(atCommunity, reader, org)).toBe('withheld');
    }
  });

  it('shows a filer who is not anonymous to everyone, the phone masked for all but those acting on the case, and for no reader', () => {
    const named: ExistingCase = { ...escalated, filer: { ...anonymous, anonymous: false } };
    expect(filerView(named, actors.hdDgCoordinator, org)).toBe('whole');
    expect(filerView(named, actors.auditor, org)).toBe('masked');
    expect(filerView(named, null, org)).toBe('masked');
  });

  it('presents a withheld filer as 匿名 with no phone, which words about it recognise', () => {
    expect(presentFiler(anonymous, 'withheld')).toEqual({ name: '匿名', phone: null, anonymous: true });
    expect(presentFiler(anonymous, 'masked')).toEqual({ name: '李四', phone: '138****5678', anonymous: true });
    expect(presentFiler(anonymous, 'whole')).toEqual(anonymous);
    expect(isWithheldFiler(presentFiler(anonymous, 'withheld'))).toBe(true);
    expect(isWithheldFiler(presentFiler(anonymous, 'masked'))).toBe(false);
  });
});
