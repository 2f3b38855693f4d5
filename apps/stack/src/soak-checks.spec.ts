import { describe, expect, it } from '@jest/globals';
import { parseSlaPolicy } from '#domain';
import type { RecordedEvent } from '#event-store';
import { breachTimers, duplicatedEvents, lostAcknowledged } from './soak-checks.js';

const policy = parseSlaPolicy({ clocks: { accept: { default: { seconds: 10 } }, resolve: { default: { seconds: 20 }, onBreach: 'escalate' } } });
const T0 = Date.parse('2026-12-05T10:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const GRACE_MS = 15_000;

let position = 0;
/** One case's stream, each event `[type, seconds after T0, data?, actor?]`, at consecutive revisions. */
function stream(caseId: string, events: [type: string, seconds: number, data?: Record<string, unknown>, actor?: string][]): RecordedEvent[] {
  return events.map(([type, seconds, data = {}, actor = 'u-coordinator'], revision) => ({
    id: `${caseId}-${revision}`,
    streamId: `case-${caseId}`,
    revision,
    globalPosition: ++position,
    position: { commit: BigInt(position), prepare: BigInt(position) },
    type,
    data: type === 'CaseFiled' ? { caseId, number: `MY-${caseId}`, kind: 'grievance', title: `t ${caseId}`, ...data } : data,
    metadata: { at: at(seconds), actorId: actor, actorRole: actor === 'system' ? 'system' : 'coordinator', unitId: 'hd-dg-1' },
    prevHash: null,
    hash: 'h',
  })) as unknown as RecordedEvent[];
}

const acceptBreach = (seconds: number) => ['SlaBreached', seconds, { clock: 'accept', startedAtRevision: 0, dueAt: at(10) }, 'system'] as [string, number, Record<string, unknown>, string];

describe('the soak’s timer check', () => {
  const checkedAt = T0 + 120_000;

  it('counts a run left open past its due time as due, and fired once with one breach', () => {
    const outcome = breachTimers(stream('a', [['CaseFiled', 0], acceptBreach(10.2)]), policy, checkedAt, GRACE_MS);
    expect(outcome).toMatchObject({ due: 1, firedOnce: 1, missed: 0, duplicated: 0 });
  });

  it('counts a due run without a breach as missed, naming it', () => {
    const outcome = breachTimers(stream('b', [['CaseFiled', 0]]), policy, checkedAt, GRACE_MS);
    expect(outcome).toMatchObject({ due: 1, firedOnce: 0, missed: 1 });
    expect(outcome.missedRuns[0]).toContain('b accept@0');
  });

  it('counts two breaches of one run as duplicated', () => {
    const outcome = breachTimers(stream('c', [['CaseFiled', 0], acceptBreach(10.1), acceptBreach(10.3)]), policy, checkedAt, GRACE_MS);
    expect(outcome).toMatchObject({ due: 1, firedOnce: 0, duplicated: 1 });
  });

  it('leaves out a run a person ended within the grace after its due time (a race), and one not yet past due and grace', () => {
    expect(breachTimers(stream('d', [['CaseFiled', 0], ['CaseRejected', 12, { reason: 'r' }]]), policy, checkedAt, GRACE_MS).due).toBe(0);
    expect(breachTimers(stream('e', [['CaseFiled', 0]]), policy, T0 + 20_000, GRACE_MS).due).toBe(0);
  });

  it('still counts a run the engine escalated on its breach, which ended it at once', () => {
    const events = stream('f', [
      ['CaseFiled', 0],
      ['CaseAccepted', 1, { note: null }],
      ['SlaBreached', 21.1, { clock: 'resolve', startedAtRevision: 1, dueAt: at(21) }, 'system'],
      ['CaseEscalated', 21.2, { fromUnitId: 'hd-dg-1', toUnitId: 'hd-dg', reason: 'resolve clock breached' }, 'system'],
    ]);
    const outcome = breachTimers(events, policy, checkedAt, GRACE_MS);
    // The resolve run (fired once) and the accept run the escalation started at the town (missed).
    expect(outcome).toMatchObject({ due: 2, firedOnce: 1, missed: 1 });
    expect(outcome.missedRuns[0]).toContain('f accept@3');
  });
});

describe('the soak’s log checks', () => {
  it('finds an acknowledged command whose event is not where its answer put it', () => {
    const log = stream('g', [['CaseFiled', 0], ['CaseAccepted', 1, { note: null }]]);
    const [filed, accepted] = log;
    const acked = [
      { action: 'file', caseId: 'g', revision: 0, position: filed!.globalPosition },
      { action: 'accept', caseId: 'g', revision: 1, position: accepted!.globalPosition },
      { action: 'close', caseId: 'g', revision: 2, position: accepted!.globalPosition + 1 },
      { action: 'reject', caseId: 'g', revision: 1, position: accepted!.globalPosition },
    ];
    expect(lostAcknowledged(acked, log).map((command) => command.action)).toEqual(['close', 'reject']);
  });

  it('counts an event written twice by the serial its text carries', () => {
    const log = [
      ...stream('h', [['CaseFiled', 0, { title: '漏水 #7' }], ['NoteAdded', 1, { text: '已联系 #7.2' }], ['CaseAccepted', 2, { note: null }]]),
      ...stream('i', [['CaseFiled', 0, { title: '漏水 #7' }], ['CaseAccepted', 2, { note: null }]]),
    ];
    expect(duplicatedEvents(log)).toBe(1);
  });
});
