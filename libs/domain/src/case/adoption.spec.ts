import { describe, expect, it } from '@jest/globals';
import { actors, by, caseFiled, historyFor, testMeta } from '../testing/fixtures.js';
import { given } from '../testing/scenario.js';
import type { AdoptSuggestion } from './commands.js';
import type { CaseEvent } from './events.js';
import { CASE_LIMITS } from './vocabulary.js';

/** A city leader's instruction on an opinion reported to them (API.md, "社情民意"). */
const annotated = (overrides: Partial<AdoptSuggestion> = {}): AdoptSuggestion => ({
  type: 'AdoptSuggestion',
  ...by(actors.cityLeader),
  level: 'city',
  kind: 'annotated',
  body: '请市住建局会同河东区研究老旧小区加装电梯的补贴办法',
  ...overrides,
});

const adoptedEvent = (n: number): CaseEvent => ({
  type: 'SuggestionAdopted',
  data: { level: 'county', kind: 'adopted', body: `采用 ${n}`, note: null, bulletinId: null },
});

describe('adopting a reported opinion', () => {
  it('records the level, the kind, the body and the bulletin it came from', () => {
    const bulletinId = '0195a1b2-0000-7000-8000-00000000b001';
    given(...historyFor('in_coordination'))
      .when(annotated({ note: '列入年度民生实事', bulletinId }))
      .then([
        {
          type: 'SuggestionAdopted',
          data: { level: 'city', kind: 'annotated', body: annotated().body, note: '列入年度民生实事', bulletinId },
        },
      ]);
  });

  it('keeps each adoption on the case, oldest first, also once the case is closed', () => {
    const state = given(...historyFor('closed'), adoptedEvent(1)).when(annotated()).thenState();
    if (state.status === 'none') throw new Error('no case');
    expect(state.status).toBe('closed');
    expect(state.adoptions.map(({ level, kind }) => [level, kind])).toEqual([
      ['county', 'adopted'],
      ['city', 'annotated'],
    ]);
    expect(state.adoptions[1]).toMatchObject({ actorId: testMeta.actorId, at: testMeta.at, note: null, bulletinId: null });
  });

  it('may be recorded by whoever may read the case, also after it has moved up the tree', () => {
    // Filed at a community and escalated to its town: the county's and the community's staff still read it.
    const escalated: CaseEvent[] = [
      caseFiled('hd-dg-1'),
      { type: 'CaseEscalated', data: { fromUnitId: 'hd-dg-1', toUnitId: 'hd-dg', reason: '需街道协调' } },
    ];
    given(...escalated).when(annotated({ ...by(actors.hdLeader), level: 'county' })).thenState();
    given(...escalated).when(annotated({ ...by(actors.hdDg1Coordinator), kind: 'adopted', level: 'community' })).thenState();
  });

  it('is not found for someone who may not read the case', () => {
    given(...historyFor('in_coordination', 'hd-dg')).when(annotated({ ...by(actors.hxXh1Coordinator) })).thenThrows('not_found');
  });

  it('is for coordinators and leaders only', () => {
    for (const actor of [actors.hdDg1Clerk, actors.auditor, actors.admin]) {
      given(...historyFor('in_coordination')).when(annotated(by(actor))).thenThrows('forbidden', /allowed for: coordinator, leader/);
    }
  });

  it('is refused on a case that was rejected, withdrawn or merged', () => {
    for (const status of ['rejected', 'withdrawn', 'merged'] as const) {
      given(...historyFor(status)).when(annotated()).thenThrows('illegal_transition', /record an adoption of/);
    }
  });

  it('needs a body', () => {
    given(...historyFor('resolved')).when(annotated({ body: '  ' })).thenThrows('invalid', /body must not be blank/);
  });

  it(`stops at ${CASE_LIMITS.adoptions} adoptions`, () => {
    const full = Array.from({ length: CASE_LIMITS.adoptions }, (_, n) => adoptedEvent(n));
    given(...historyFor('closed'), ...full).when(annotated()).thenThrows('limit_reached', /100 adoptions/);
  });

  describe('guards the points an adoption earns', () => {
    const inCoordination = historyFor('in_coordination', 'hd-dg-1');

    it('takes an annotation from a leader only', () => {
      given(...inCoordination).when(annotated({ ...by(actors.hdCoordinator), level: 'county' })).thenThrows('forbidden', /only a leader records an annotation/);
      given(...inCoordination).when(annotated({ ...by(actors.hdCoordinator), level: 'county', kind: 'adopted' })).thenState();
    });

    it('records levels up to the actor’s own, and city staff the province’s and the nation’s too', () => {
      given(...inCoordination)
        .when(annotated({ ...by(actors.hdDg1Coordinator), kind: 'adopted', level: 'national' }))
        .thenThrows('invalid', /community record adoptions up to the community level, not the national level/);
      given(...inCoordination).when(annotated({ ...by(actors.hdLeader), level: 'city' })).thenThrows('invalid', /up to the county level/);
      given(...inCoordination).when(annotated({ ...by(actors.cityLeader), level: 'national' })).thenState();
      given(...inCoordination).when(annotated({ ...by(actors.cityCoordinator), kind: 'adopted', level: 'province' })).thenState();
    });

    it('records no level below the one the case was filed at', () => {
      given(...historyFor('in_coordination', 'hd'))
        .when(annotated({ ...by(actors.hdLeader), level: 'town' }))
        .thenThrows('invalid', /filed at the county level; it is adopted there or higher, not at the town level/);
    });

    it('counts each level’s adoption and annotation once per bulletin, so a retry earns nothing twice', () => {
      const bulletinId = '0195a1b2-0000-7000-8000-00000000b002';
      const recorded: CaseEvent = { type: 'SuggestionAdopted', data: { level: 'city', kind: 'annotated', body: '已阅', note: null, bulletinId } };
      given(...inCoordination, recorded).when(annotated({ bulletinId })).thenThrows('illegal_transition', /already records a city-level annotation from this bulletin/);
      given(...inCoordination, recorded).when(annotated()).thenState();
      given(...inCoordination, recorded).when(annotated({ bulletinId, kind: 'adopted', ...by(actors.cityCoordinator) })).thenState();
    });
  });
});
