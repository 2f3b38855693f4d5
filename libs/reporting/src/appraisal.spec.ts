import { describe, expect, it } from '@jest/globals';
import type { PublicUser } from '#accounts';
import { DEFAULT_SLA_POLICY, DEMO_ORG_UNITS, OrgTree, type Role } from '#domain';
import { appraise, clerksWithin, tallyAdoptions } from './appraisal.js';

const org = new OrgTree(DEMO_ORG_UNITS);
const person = (username: string, roles: Role[], unitId: string): PublicUser => ({ id: `id-${username}`, username, displayName: username.toUpperCase(), roles, unitId });

const community = person('hd-dg-1.clerk', ['clerk'], 'hd-dg-1');
const grid = person('hd-dg-1-g1.clerk', ['clerk'], 'hd-dg-1-g1');
const quiet = person('hd-dg-1-a.clerk', ['clerk'], 'hd-dg-1');
const elsewhere = person('hx-xh-1.clerk', ['clerk'], 'hx-xh-1');
const coordinator = person('hd-dg-1.coordinator', ['coordinator'], 'hd-dg-1');
const both = person('hd-dg.both', ['coordinator', 'clerk'], 'hd-dg');

describe('the information officers’ appraisal', () => {
  it('takes the clerks whose unit lies in the subtree, whatever their other roles', () => {
    const users = [community, grid, quiet, elsewhere, coordinator, both];
    expect(clerksWithin(users, 'hd-dg-1', org)).toEqual([community, grid, quiet]);
    expect(clerksWithin(users, 'hd-dg', org)).toEqual([community, grid, quiet, both]);
    expect(clerksWithin(users, 'hx', org)).toEqual([elsewhere]);
    expect(clerksWithin(users, 'hd-ll', org)).toEqual([]);
  });

  it('gives every clerk a row, zeros for one who filed nothing, most filed first and then by username', () => {
    const rows = appraise(
      [quiet, grid, community, elsewhere],
      new Map([
        [community.id, { filed: 10, accepted: 7, annotated: 2, adopted: 1 }],
        [grid.id, { filed: 1, accepted: 1, annotated: 0, adopted: 1 }],
        [elsewhere.id, { filed: 1, accepted: 0, annotated: 0, adopted: 0 }],
      ]),
      new Map([
        [grid.id, { adoptions: 2, points: 6 }],
        [quiet.id, { adoptions: 1, points: 50 }],
      ]),
    );
    expect(rows).toEqual([
      { userId: community.id, username: 'hd-dg-1.clerk', displayName: 'HD-DG-1.CLERK', unitId: 'hd-dg-1', filed: 10, accepted: 7, annotated: 2, adopted: 1, adoptions: 0, points: 0 },
      { userId: grid.id, username: 'hd-dg-1-g1.clerk', displayName: 'HD-DG-1-G1.CLERK', unitId: 'hd-dg-1-g1', filed: 1, accepted: 1, annotated: 0, adopted: 1, adoptions: 2, points: 6 },
      { userId: elsewhere.id, username: 'hx-xh-1.clerk', displayName: 'HX-XH-1.CLERK', unitId: 'hx-xh-1', filed: 1, accepted: 0, annotated: 0, adopted: 0, adoptions: 0, points: 0 },
      { userId: quiet.id, username: 'hd-dg-1-a.clerk', displayName: 'HD-DG-1-A.CLERK', unitId: 'hd-dg-1', filed: 0, accepted: 0, annotated: 0, adopted: 0, adoptions: 1, points: 50 },
    ]);
  });

  it('adds up each filer’s adoptions at the points the policy gives their kind and level', () => {
    const counts = [
      { filedBy: community.id, kind: 'adopted', level: 'county', count: 2 },
      { filedBy: community.id, kind: 'annotated', level: 'city', count: 1 },
      { filedBy: grid.id, kind: 'annotated', level: 'national', count: 1 },
    ] as const;
    expect(tallyAdoptions(counts, DEFAULT_SLA_POLICY.adoptionPoints)).toEqual(
      new Map([
        [community.id, { adoptions: 3, points: 2 * 4 + 15 }],
        [grid.id, { adoptions: 1, points: 50 }],
      ]),
    );
    const doubled = { ...DEFAULT_SLA_POLICY.adoptionPoints, adopted: { ...DEFAULT_SLA_POLICY.adoptionPoints.adopted, county: 8 } };
    expect(tallyAdoptions(counts, doubled).get(community.id)).toEqual({ adoptions: 3, points: 2 * 8 + 15 });
    expect(tallyAdoptions([], DEFAULT_SLA_POLICY.adoptionPoints)).toEqual(new Map());
  });
});
