import { describe, expect, it } from '@jest/globals';
import { DomainError, type DomainErrorCode } from '../errors.js';
import { fold } from '../case/evolve.js';
import type { ExistingCase } from '../case/state.js';
import { actors, caseFiled, CASE_ID, OTHER_CASE_ID, org, withMeta } from '../testing/fixtures.js';
import { thrownBy } from '../testing/scenario.js';
import { SYSTEM_ACTOR, type Actor } from '../actor.js';
import {
  BULLETIN_LIMITS,
  bulletinItemOf,
  bulletinYear,
  canReadBulletin,
  decideBulletin,
  foldBulletin,
  issueLabel,
  readableBulletinUnits,
  writeRefusal,
  type BulletinCommand,
  type BulletinEvent,
  type BulletinItem,
} from './bulletin.js';
import { foldRegister, numberInRegister, type BulletinNumbered } from './register.js';

const BULLETIN_ID = '0195a1b2-0000-7000-8000-0000000000b1';
const AT = '2026-03-02T09:00:00+08:00';
const editor = actors.hdDgCoordinator;

/** given(bulletin events).when(command).then(events) or .thenThrows(code). */
function given(...history: BulletinEvent[]) {
  const state = foldBulletin(history.map((event) => ({ event, meta: { at: AT, actorId: editor.userId } })));
  return {
    when(command: BulletinCommand) {
      const decideIt = () => decideBulletin(command, state, org);
      return {
        then: (expected: BulletinEvent[]) => expect(decideIt()).toEqual(expected),
        thenThrows(code: DomainErrorCode, message?: RegExp) {
          const error = thrownBy(decideIt) as DomainError;
          expect(error).toBeInstanceOf(DomainError);
          expect({ code: error.code, message: error.message }).toEqual({ code, message: message ? expect.stringMatching(message) : error.message });
        },
      };
    },
  };
}

const drafted = (caseIds: string[] = [CASE_ID]): BulletinEvent => ({
  type: 'BulletinDrafted',
  data: { bulletinId: BULLETIN_ID, unitId: 'hd-dg', title: '社情民意第一期', caseIds, editorNote: null },
});
const draft = (overrides: Partial<Extract<BulletinCommand, { type: 'DraftBulletin' }>> = {}): BulletinCommand => ({
  type: 'DraftBulletin',
  bulletinId: BULLETIN_ID,
  actor: editor,
  at: AT,
  unitId: 'hd-dg',
  title: '社情民意第一期',
  caseIds: [CASE_ID],
  editorNote: null,
  ...overrides,
});
const item = (caseId: string): BulletinItem => ({ caseId, number: 'MY-2026-000001', kind: 'suggestion', title: '建议', summary: '摘要', unitId: 'hd-dg', unitName: '东关街道' });
const publish = (actor: Actor = editor, items = [item(CASE_ID)]): BulletinCommand => ({
  type: 'PublishBulletin',
  bulletinId: BULLETIN_ID,
  actor,
  at: AT,
  number: { year: 2026, sequence: 3 },
  items,
  numberedBy: 'register-event',
});

describe('bulletins', () => {
  describe('drafting', () => {
    it('records the draft of a coordinator of the unit', () => {
      given().when(draft({ title: '  社情民意第一期 ', editorNote: ' 请阅 ' })).then([
        { type: 'BulletinDrafted', data: { bulletinId: BULLETIN_ID, unitId: 'hd-dg', title: '社情民意第一期', caseIds: [CASE_ID], editorNote: '请阅' } },
      ]);
    });

    it('is for the coordinators of the unit only', () => {
      given().when(draft({ actor: actors.hdDgLeader })).thenThrows('forbidden', /only coordinators/);
      given().when(draft({ actor: actors.hdCoordinator })).thenThrows('forbidden', /only the coordinators of 东关街道/);
      given().when(draft({ actor: actors.hdDg1Coordinator })).thenThrows('forbidden');
    });

    it('needs one to fifty cases, each once, and a title', () => {
      given().when(draft({ caseIds: [] })).thenThrows('invalid', /at least one case/);
      given().when(draft({ caseIds: [CASE_ID, OTHER_CASE_ID, CASE_ID] })).thenThrows('invalid', /listed more than once/);
      const many = Array.from({ length: BULLETIN_LIMITS.items + 1 }, (_, i) => `0195a1b2-0000-7000-8000-${String(i).padStart(12, '0')}`);
      given().when(draft({ caseIds: many })).thenThrows('invalid', /at most 50 cases/);
      given().when(draft({ caseIds: many.slice(0, BULLETIN_LIMITS.items) })).then([expect.objectContaining({ type: 'BulletinDrafted' }) as unknown as BulletinEvent]);
      given().when(draft({ title: '   ' })).thenThrows('invalid', /needs a title/);
    });
  });

  describe('revising', () => {
    it('keeps what the revision leaves out, and a null note removes the note', () => {
      given(drafted()).when({ type: 'ReviseBulletin', bulletinId: BULLETIN_ID, actor: editor, at: AT, caseIds: [OTHER_CASE_ID, CASE_ID], numbered: false }).then([
        { type: 'BulletinRevised', data: { title: '社情民意第一期', caseIds: [OTHER_CASE_ID, CASE_ID], editorNote: null } },
      ]);
    });

    it('is refused once published, and for an unknown bulletin', () => {
      given(drafted(), { type: 'BulletinPublished', data: { year: 2026, sequence: 1, items: [item(CASE_ID)], numberedBy: 'r' } })
        .when({ type: 'ReviseBulletin', bulletinId: BULLETIN_ID, actor: editor, at: AT, title: '新标题', numbered: false })
        .thenThrows('illegal_transition', /published/);
      given().when({ type: 'ReviseBulletin', bulletinId: BULLETIN_ID, actor: editor, at: AT, title: '新标题', numbered: false }).thenThrows('not_found');
    });

    it('is refused once a register holds the bulletin, though its publication is not recorded yet', () => {
      given(drafted()).when({ type: 'ReviseBulletin', bulletinId: BULLETIN_ID, actor: editor, at: AT, title: '新标题', numbered: true }).thenThrows('illegal_transition', /number already/);
    });

    it(`stops at ${BULLETIN_LIMITS.revisions} revisions, so that a bulletin's stream stays small`, () => {
      const revised: BulletinEvent = { type: 'BulletinRevised', data: { title: '又一稿', caseIds: [CASE_ID], editorNote: null } };
      const revise: BulletinCommand = { type: 'ReviseBulletin', bulletinId: BULLETIN_ID, actor: editor, at: AT, title: '再一稿', numbered: false };
      const history = (revisions: number) => [drafted(), ...Array.from({ length: revisions }, () => revised)];
      given(...history(BULLETIN_LIMITS.revisions - 1)).when(revise).then([{ type: 'BulletinRevised', data: { title: '再一稿', caseIds: [CASE_ID], editorNote: null } }]);
      given(...history(BULLETIN_LIMITS.revisions)).when(revise).thenThrows('limit_reached', /at most 200 times/);
    });
  });

  describe('publishing', () => {
    it('freezes the items and records the number the register gave', () => {
      given(drafted()).when(publish()).then([{ type: 'BulletinPublished', data: { year: 2026, sequence: 3, items: [item(CASE_ID)], numberedBy: 'register-event' } }]);
    });

    it('freezes exactly the draft’s cases, in its order', () => {
      given(drafted([CASE_ID, OTHER_CASE_ID])).when(publish(editor, [item(OTHER_CASE_ID), item(CASE_ID)])).thenThrows('invalid', /in its order/);
    });

    it('happens once: a published bulletin is not published again', () => {
      given(drafted(), { type: 'BulletinPublished', data: { year: 2026, sequence: 1, items: [item(CASE_ID)], numberedBy: 'r' } }).when(publish()).thenThrows('illegal_transition');
    });

    it('is completed by the engine itself when a number was taken but its publication not recorded', () => {
      given(drafted()).when(publish(SYSTEM_ACTOR)).then([{ type: 'BulletinPublished', data: { year: 2026, sequence: 3, items: [item(CASE_ID)], numberedBy: 'register-event' } }]);
      given(drafted()).when({ type: 'ReviseBulletin', bulletinId: BULLETIN_ID, actor: SYSTEM_ACTOR, at: AT, title: '新标题', numbered: false }).thenThrows('forbidden');
    });

    it('is for the coordinators of the unit only, published or not: the command path asks before it takes a number', () => {
      expect(writeRefusal(editor, 'hd-dg', org)).toBeNull();
      for (const actor of [actors.hdDgLeader, actors.hdLeader, actors.auditor, actors.hdCoordinator]) expect(writeRefusal(actor, 'hd-dg', org)?.code).toBe('forbidden');
      given(drafted()).when(publish(actors.hdDgLeader)).thenThrows('forbidden');
    });

    it('belongs to the calendar year of the policy’s time zone', () => {
      expect(bulletinYear('2026-12-31T16:30:00Z', 'Asia/Shanghai')).toBe(2027);
      expect(bulletinYear('2026-12-31T15:59:59Z', 'Asia/Shanghai')).toBe(2026);
      expect(issueLabel({ year: 2026, sequence: 3 })).toBe('2026年第3期');
      expect(issueLabel({ year: 2026, sequence: 3 }, 'en')).toBe('No. 3 of 2026');
    });
  });

  describe('the register', () => {
    const numbered = (bulletinId: string, sequence: number): { id: string; event: BulletinNumbered } => ({
      id: `event-${sequence}`,
      event: { type: 'BulletinNumbered', data: { bulletinId, unitId: 'hd-dg', year: 2026, sequence } },
    });

    it('numbers a year’s bulletins 1, 2, 3 in the order they are published', () => {
      let events: { id: string; event: BulletinNumbered }[] = [];
      for (const bulletinId of ['a', 'b', 'c']) {
        const { sequence, event } = numberInRegister(foldRegister('hd-dg', 2026, events), bulletinId);
        events = [...events, { id: `event-${sequence}`, event: event! }];
      }
      expect(events.map(({ event }) => [event.data.bulletinId, event.data.sequence])).toEqual([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]);
    });

    it('never numbers a bulletin twice: a retry gets its number and records nothing', () => {
      const register = foldRegister('hd-dg', 2026, [numbered('a', 1), numbered('b', 2)]);
      expect(numberInRegister(register, 'a')).toEqual({ sequence: 1, event: null });
      expect(numberInRegister(register, 'c')).toEqual({ sequence: 3, event: { type: 'BulletinNumbered', data: { bulletinId: 'c', unitId: 'hd-dg', year: 2026, sequence: 3 } } });
      expect(register.numbered.get('b')).toEqual({ sequence: 2, eventId: 'event-2' });
    });
  });

  describe('items', () => {
    const filed = fold(withMeta([caseFiled('hd-dg', { kind: 'suggestion', description: '说'.repeat(400) })])) as ExistingCase;

    it('copy the case as it stands, its description cut to a summary', () => {
      const frozen = bulletinItemOf(filed, org);
      expect(frozen).toMatchObject({ caseId: CASE_ID, number: filed.number, kind: 'suggestion', title: filed.title, unitId: 'hd-dg', unitName: '东关街道' });
      expect([...frozen.summary]).toHaveLength(BULLETIN_LIMITS.summary);
      expect(frozen.summary.endsWith('…')).toBe(true);
    });

    it('summarise what was done once the case has a resolution', () => {
      const resolved: ExistingCase = { ...filed, resolution: { outcome: 'adopted', summary: '建议已采纳', at: AT } };
      expect(bulletinItemOf(resolved, org).summary).toBe('建议已采纳');
    });
  });

  describe('readers', () => {
    const town = { unitId: 'hd-dg' };

    it('are the unit and those above, the auditor among them; never the units below nor other subtrees, also once published', () => {
      for (const reader of [actors.hdDgCoordinator, actors.hdDgLeader, actors.hdLeader, actors.cityLeader, actors.auditor]) {
        expect(canReadBulletin(reader, town, org)).toBe(true);
      }
      for (const reader of [actors.hdDg1Coordinator, actors.hxXh1Coordinator]) expect(canReadBulletin(reader, town, org)).toBe(false);
      expect(readableBulletinUnits(actors.hdDgCoordinator, org)).toEqual(org.subtreeIds('hd-dg'));
      expect(readableBulletinUnits(actors.hdDg1Coordinator, org)).not.toContain('hd-dg');
    });
  });
});
