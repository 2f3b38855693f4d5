import { describe, expect, it } from '@jest/globals';
import type { ExecuteCaseCommand } from '#cases';
import { IllegalTransitionError, SYSTEM_ACTOR, type SlaAlert } from '#domain';
import type { EscalationJob } from './sla-queue.js';
import { SlaTimerWorker } from './sla-timers.js';

const CASE_ID = '0195a1b2-0000-7000-8000-000000000001';
const alert: SlaAlert = { clock: 'resolve', dueAt: '2026-03-23T15:00:00+08:00', startedAtRevision: 1 };
const job: EscalationJob = { kind: 'EscalateOnBreach', caseId: CASE_ID, alert, breachEventId: 'breach-event' };
const now = () => new Date('2026-03-23T07:00:05.000Z');
// The worker is given no way to read a case: whether the escalation may go ahead is the domain's to say.

describe('SlaTimerWorker.escalate', () => {
  it('issues EscalateOnBreach for the breached run, as the system, tied to the job', async () => {
    const issued: ExecuteCaseCommand[] = [];
    const worker = new SlaTimerWorker(async (request) => issued.push(request), now);
    await expect(worker.escalate(job, 'escalate.breach-event')).resolves.toEqual({ done: 'escalated' });
    expect(issued).toEqual([
      expect.objectContaining({
        command: { type: 'EscalateOnBreach', caseId: CASE_ID, actor: SYSTEM_ACTOR, at: '2026-03-23T07:00:05.000Z', ...alert },
        expectedRevision: undefined,
        correlationId: 'sla:escalate.breach-event',
      }),
    ]);
  });

  it('takes the domain’s refusal as nothing to do: the case has moved on since the breach', async () => {
    const refusal = new IllegalTransitionError('the resolve clock started at revision 1 is no longer running');
    const worker = new SlaTimerWorker(() => Promise.reject(refusal), now);
    await expect(worker.escalate(job, undefined)).resolves.toEqual({ done: 'nothing to do', reason: refusal.message });
  });

  it('lets any other failure through, for the job to be tried again', async () => {
    const worker = new SlaTimerWorker(() => Promise.reject(new Error('connection lost')), now);
    await expect(worker.escalate(job, undefined)).rejects.toThrow('connection lost');
  });
});
