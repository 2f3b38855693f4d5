import { describe, expect, it } from '@jest/globals';
import { PUBLIC_ACTOR } from '../actor.js';
import { actors, by, caseFiled, caseIn, historyFor } from '../testing/fixtures.js';
import { given } from '../testing/scenario.js';
import type { FileCase } from './commands.js';
import { decide } from './decide.js';
import { fold } from './evolve.js';
import { canRead, eventMetaFor } from './permissions.js';
import type { CaseCommand } from './commands.js';
import type { CaseEvent } from './events.js';
import { caseClocks } from '../sla/clocks.js';
import { DEFAULT_SLA_POLICY } from '../sla/policy.js';
import { withMeta } from '../testing/fixtures.js';
import { CASE_LIMITS, type AttachmentFacts } from './vocabulary.js';
import { org } from '../testing/fixtures.js';

/** A resident's filing through the opinion mailbox (API.md, "The resident's channel"). */
const publicFiling: FileCase = {
  type: 'FileCase',
  ...by(PUBLIC_ACTOR),
  number: 'MY-2026-000001',
  kind: 'suggestion',
  title: '建议增设路灯',
  description: '小区东门外道路夜间无照明。',
  channel: 'web',
  unitId: 'hd-dg-1',
  filer: { name: '', phone: null, anonymous: true },
  publicAccess: { codeDigest: 'd'.repeat(64) },
};

/** The case after the command, its events recorded with the metadata the command path gives them (actor, role). */
function after(history: CaseEvent[], command: CaseCommand) {
  const recorded = withMeta(history);
  const decided = decide(command, fold(recorded), { org, clocks: caseClocks(recorded, DEFAULT_SLA_POLICY) });
  const state = fold(decided.map((event) => ({ event, meta: eventMetaFor(command) })), fold(recorded));
  if (state.status === 'none') throw new Error('no case');
  return state;
}

function photo(n: number): AttachmentFacts {
  return {
    attachmentId: `0195a1b2-0000-7000-8000-0000000001${String(n).padStart(2, '0')}`,
    sha256: String(n % 10).repeat(64),
    size: 1000 + n,
    mediaType: 'image/jpeg',
    name: `现场${n}.jpg`,
    kind: 'photo',
    description: null,
  };
}

describe('the public actor', () => {
  it('files to a community or a grid, keeping the access code digest on the filing', () => {
    const state = given().when(publicFiling).thenState();
    expect(state).toMatchObject({ status: 'filed', unitId: 'hd-dg-1', channel: 'web', publicAccess: { codeDigest: 'd'.repeat(64) } });
    given().when({ ...publicFiling, unitId: 'hd-dg-1-g1' }).thenState();
  });

  it('may not file to a town, a county or the city', () => {
    for (const unitId of ['hd-dg', 'hd', 'sf']) {
      given().when({ ...publicFiling, unitId }).thenThrows('invalid', /residents file to a community or a grid/);
    }
  });

  it('records the files stored for the filing in the same decision, after the filing', () => {
    const state = after([], { ...publicFiling, attachments: [photo(1), photo(2)] });
    expect(state.attachments.map((a) => [a.name, a.actorId])).toEqual([['现场1.jpg', 'public'], ['现场2.jpg', 'public']]);
  });

  it('carries an access code digest only on a resident’s filing', () => {
    const { publicAccess: _, ...withoutCode } = publicFiling;
    given().when(withoutCode).thenThrows('invalid', /access code digest/);
    const staffFiling: FileCase = { ...publicFiling, ...by(actors.hdDg1Clerk), channel: 'walk_in' };
    given().when(staffFiling).thenThrows('invalid', /access code digest/);
  });

  it('rates a resolved case itself, marked as self-rated', () => {
    const state = after(historyFor('resolved'), { type: 'RecordFeedback', ...by(PUBLIC_ACTOR), satisfaction: 'satisfied' });
    expect(state.status).toBe('closed');
    expect(state.feedback.at(-1)).toMatchObject({ satisfaction: 'satisfied', selfRated: true });
    const byStaff = after(historyFor('resolved'), { type: 'RecordFeedback', ...by(actors.hdDgCoordinator), satisfaction: 'satisfied' });
    expect(byStaff.feedback.at(-1)).toMatchObject({ selfRated: false });
  });

  it('may not rate a case that is not resolved, nor make any staff move', () => {
    given(...historyFor('in_coordination'))
      .when({ type: 'RecordFeedback', ...by(PUBLIC_ACTOR), satisfaction: 'satisfied' })
      .thenThrows('illegal_transition');
    given(...historyFor('filed')).when({ type: 'AcceptCase', ...by(PUBLIC_ACTOR) }).thenThrows('forbidden');
    given(...historyFor('filed')).when({ type: 'AddNote', ...by(PUBLIC_ACTOR), noteType: 'contact', text: '…' }).thenThrows('forbidden');
  });

  it('reads nothing through the staff rules', () => {
    expect(canRead(caseIn('filed'), PUBLIC_ACTOR, org)).toBe(false);
  });
});

describe('attachments', () => {
  it('are added by whoever may add a note, while the case is open', () => {
    const state = after([caseFiled('hd-dg-1')], { type: 'AddAttachment', ...by(actors.hdDg1Clerk), attachment: photo(1) });
    expect(state.attachments).toEqual([{ ...photo(1), actorId: 'hd-dg-1.clerk', at: expect.any(String) }]);
    given(caseFiled('hd-dg-1')).when({ type: 'AddAttachment', ...by(actors.hdDgLeader), attachment: photo(1) }).thenThrows('forbidden');
    given(...historyFor('closed')).when({ type: 'AddAttachment', ...by(actors.hdDgCoordinator), attachment: photo(1) }).thenThrows('illegal_transition');
  });

  it('are refused past the most a case may hold', () => {
    const full = Array.from({ length: CASE_LIMITS.attachments }, (_, n) => ({ type: 'AttachmentAdded' as const, data: photo(n) }));
    given(caseFiled('hd-dg-1'), ...full)
      .when({ type: 'AddAttachment', ...by(actors.hdDg1Clerk), attachment: photo(99) })
      .thenThrows('limit_reached', /already holds 50 attachments/);
  });
});
