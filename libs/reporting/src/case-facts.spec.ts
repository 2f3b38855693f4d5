import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SLA_POLICY, type CaseEvent, type CaseKind } from '#domain';
import type { RecordedEvent } from '#event-store';
import { foldFacts, type CaseFacts } from './case-facts.js';

const CASE_ID = '0195a1b2-0000-7000-8000-0000000000f1';
const CLERK = { id: 'u-clerk', role: 'clerk', unitId: 'hd-dg-1' };
const COORDINATOR = { id: 'u-coordinator', role: 'coordinator', unitId: 'hd-dg-1' };
const SYSTEM = { id: 'system', role: 'system', unitId: null };
type Actor = { readonly id: string; readonly role: string; readonly unitId: string | null };

/** A case's stream, each event recorded at a given time. Monday 2026-11-02 09:00 in Shanghai: the accept clock is due a day later. */
function stream(...steps: readonly (readonly [at: string, event: CaseEvent, actor?: Actor])[]): RecordedEvent[] {
  return steps.map(([at, event, actor = COORDINATOR], revision) => ({
    id: `0195a1b2-0000-7000-8000-${(0xa00 + revision).toString(16).padStart(12, '0')}`,
    type: event.type,
    schemaVersion: 1,
    data: event.data as unknown as Record<string, unknown>,
    metadata: { actorId: actor.id, actorRole: actor.role, unitId: actor.unitId, at, correlationId: 'c', causationId: null },
    streamId: `case-${CASE_ID}`,
    revision,
    globalPosition: 100 + revision,
    position: { commit: BigInt(100 + revision), prepare: BigInt(100 + revision) },
    prevHash: null,
    hash: 'h',
  }));
}

function filed(kind: CaseKind = 'dispute'): CaseEvent {
  return {
    type: 'CaseFiled',
    data: {
      caseId: CASE_ID,
      number: 'MY-2026-000042',
      kind,
      title: '停车位纠纷',
      description: '业主与物业因停车位分配发生争执。',
      channel: 'walk_in',
      unitId: 'hd-dg-1',
      urgency: 'normal',
      filer: { name: '张三', phone: null, anonymous: false },
      parties: [],
      visitReason: null,
      occurredAt: null,
      location: null,
    },
  };
}

const accepted: CaseEvent = { type: 'CaseAccepted', data: { note: null } };
const resolvedAs = (outcome: 'mediated' | 'adopted' | 'partially_adopted'): CaseEvent => ({ type: 'CaseResolved', data: { outcome, summary: '已办理' } });
const feedback = (satisfaction: 'satisfied' | 'basically_satisfied' | 'unsatisfied'): CaseEvent => ({ type: 'FeedbackRecorded', data: { satisfaction, comment: null } });
const escalated: CaseEvent = { type: 'CaseEscalated', data: { fromUnitId: 'hd-dg-1', toUnitId: 'hd-dg', reason: '需上级协调' } };
const FILED_AT = '2026-11-02T09:00:00+08:00';
const ACCEPT_DUE = '2026-11-03T09:00:00+08:00';

function factsOf(events: readonly RecordedEvent[]): CaseFacts {
  return foldFacts(events, DEFAULT_SLA_POLICY)!.facts;
}

describe('the facts of a case that the statistics count', () => {
  it('records who filed it where and when, and a case handled in time at every step', () => {
    const facts = factsOf(
      stream(
        [FILED_AT, filed(), CLERK],
        ['2026-11-02T10:00:00+08:00', accepted],
        ['2026-11-03T10:00:00+08:00', resolvedAs('mediated')],
        ['2026-11-03T11:00:00+08:00', feedback('basically_satisfied')],
      ),
    );
    expect(facts).toEqual({
      caseId: CASE_ID,
      number: 'MY-2026-000042',
      kind: 'dispute',
      filedUnitId: 'hd-dg-1',
      filedBy: 'u-clerk',
      filedAt: FILED_AT,
      accepted: true,
      acceptedOnTime: true,
      acceptBreached: false,
      resolved: true,
      resolvedOnTime: true,
      outcome: 'mediated',
      annotated: false,
      latestSatisfaction: 'basically_satisfied',
      feedbackCount: 1,
      latestSelfRating: null,
      unitsVisited: ['hd-dg-1'],
    });
  });

  it('counts a case accepted at or after its accept clock ran out as accepted, not on time, and breached', () => {
    const facts = factsOf(stream([FILED_AT, filed(), CLERK], [ACCEPT_DUE, accepted]));
    expect(facts).toMatchObject({ accepted: true, acceptedOnTime: false, acceptBreached: true });
  });

  it('counts a recorded breach of a case still waiting to be accepted', () => {
    const breach: CaseEvent = { type: 'SlaBreached', data: { clock: 'accept', dueAt: ACCEPT_DUE, startedAtRevision: 0 } };
    const facts = factsOf(stream([FILED_AT, filed(), CLERK], [ACCEPT_DUE, breach, SYSTEM]));
    expect(facts).toMatchObject({ accepted: false, acceptedOnTime: false, acceptBreached: true, resolved: false });
  });

  it('counts neither way a case withdrawn before its accept clock ran out', () => {
    const withdrawn: CaseEvent = { type: 'CaseWithdrawn', data: { reason: '当事人撤回' } };
    const facts = factsOf(stream([FILED_AT, filed(), CLERK], ['2026-11-02T12:00:00+08:00', withdrawn]));
    expect(facts).toMatchObject({ accepted: false, acceptedOnTime: false, acceptBreached: false });
  });

  it('keeps a case on time when it is accepted in time at every unit it arrives at', () => {
    const facts = factsOf(
      stream(
        [FILED_AT, filed(), CLERK],
        ['2026-11-02T10:00:00+08:00', accepted],
        ['2026-11-02T11:00:00+08:00', escalated],
        ['2026-11-02T12:00:00+08:00', accepted],
      ),
    );
    expect(facts).toMatchObject({ accepted: true, acceptedOnTime: true, acceptBreached: false, filedUnitId: 'hd-dg-1', unitsVisited: ['hd-dg-1', 'hd-dg'] });
  });

  it('takes a case off time when the unit it was escalated to accepts it late', () => {
    const facts = factsOf(
      stream(
        [FILED_AT, filed(), CLERK],
        ['2026-11-02T10:00:00+08:00', accepted],
        ['2026-11-02T11:00:00+08:00', escalated],
        ['2026-11-03T11:00:00+08:00', accepted], // the town's accept clock started at the escalation
      ),
    );
    expect(facts).toMatchObject({ accepted: true, acceptedOnTime: false, acceptBreached: true });
  });

  it('keeps the outcome of a resolution that unsatisfied feedback sent back, and counts a late redo as resolved late', () => {
    const events = stream(
      [FILED_AT, filed('suggestion'), CLERK],
      ['2026-11-02T10:00:00+08:00', accepted],
      ['2026-11-03T10:00:00+08:00', resolvedAs('partially_adopted')],
      ['2026-11-03T11:00:00+08:00', feedback('unsatisfied')],
      // A suggestion is resolved within 30 working days; the redo comes two months later.
      ['2027-01-15T10:00:00+08:00', resolvedAs('adopted')],
    );
    expect(factsOf(events.slice(0, 4))).toMatchObject({
      resolved: true,
      resolvedOnTime: true,
      outcome: 'partially_adopted',
      latestSatisfaction: 'unsatisfied',
      feedbackCount: 1,
    });
    expect(factsOf(events)).toMatchObject({ resolved: true, resolvedOnTime: false, outcome: 'adopted', latestSatisfaction: 'unsatisfied' });
  });

  it('says a case is annotated once a leader has annotated it', () => {
    const facts = factsOf(
      stream(
        [FILED_AT, filed('suggestion'), CLERK],
        ['2026-11-02T10:00:00+08:00', accepted],
        ['2026-11-02T11:00:00+08:00', { type: 'AnnotationRequested', data: { summary: '请领导批示' } }],
        ['2026-11-02T12:00:00+08:00', { type: 'CaseAnnotated', data: { instruction: '抓紧办理', assignToUnitId: null, fromUnitId: 'hd-dg-1' } }],
      ),
    );
    expect(facts).toMatchObject({ annotated: true, resolved: false, outcome: null });
  });

  it('gives the same facts however the events are split into batches', () => {
    const events = stream(
      [FILED_AT, filed(), CLERK],
      [ACCEPT_DUE, accepted],
      ['2026-11-04T10:00:00+08:00', resolvedAs('mediated')],
      ['2026-11-04T11:00:00+08:00', feedback('unsatisfied')],
      ['2026-11-05T11:00:00+08:00', resolvedAs('mediated')],
      ['2026-11-05T12:00:00+08:00', feedback('satisfied')],
    );
    const whole = foldFacts(events, DEFAULT_SLA_POLICY);
    for (let split = 1; split < events.length; split++) {
      const first = foldFacts(events.slice(0, split), DEFAULT_SLA_POLICY);
      expect(foldFacts(events.slice(split), DEFAULT_SLA_POLICY, first)).toEqual(whole);
    }
    expect(whole!.facts).toMatchObject({ acceptBreached: true, resolvedOnTime: true, latestSatisfaction: 'satisfied', feedbackCount: 2 });
  });
});
