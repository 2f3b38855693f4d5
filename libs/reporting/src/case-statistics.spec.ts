import { describe, expect, it } from '@jest/globals';
import { DEMO_ORG_UNITS, ForbiddenError, NotFoundError, OrgTree, type Role, type UserActor } from '#domain';
import { reportUnit } from './case-statistics.js';

const org = new OrgTree(DEMO_ORG_UNITS);
const reader = (roles: Role[], unitId: string): UserActor => ({ userId: 'u', roles, unitId });

describe('who may read the statistics of which unit', () => {
  it.each<[Role]>([['coordinator'], ['leader'], ['auditor'], ['admin']])('lets a %s read their own unit by default, or any unit below it', (role) => {
    expect(reportUnit(reader([role], 'hd'), undefined, org)).toBe('hd');
    expect(reportUnit(reader([role], 'hd'), 'hd-dg-1-g1', org)).toBe('hd-dg-1-g1');
  });

  it('refuses a clerk, even for their own unit, but not a clerk who also coordinates', () => {
    expect(() => reportUnit(reader(['clerk'], 'hd-dg-1'), 'hd-dg-1', org)).toThrow(ForbiddenError);
    expect(reportUnit(reader(['clerk', 'coordinator'], 'hd-dg-1'), undefined, org)).toBe('hd-dg-1');
  });

  it('refuses a unit outside the reader’s subtree, above it or beside it', () => {
    expect(() => reportUnit(reader(['coordinator'], 'hd-dg-1'), 'hd-dg', org)).toThrow('unit hd-dg lies outside your unit');
    expect(() => reportUnit(reader(['leader'], 'hd'), 'hx-xh-1', org)).toThrow(ForbiddenError);
  });

  it('answers an unknown unit as not found', () => {
    expect(() => reportUnit(reader(['auditor'], 'sf'), 'nowhere', org)).toThrow(NotFoundError);
  });
});
