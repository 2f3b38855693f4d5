import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SLA_POLICY, foldClocks, pendingSlaTimers, type CaseEvent, type CaseEventMeta } from '#domain';
import type { CaseEventMetadata } from '#cases';
import { ACCEPT_SECONDS, warnedCase } from './warned-case.js';

describe('warnedCase (the end-to-end timer benchmark’s seeding)', () => {
  const dueAtMs = Date.parse('2026-12-05T22:00:07.123Z');
  const events = warnedCase(41, dueAtMs);
  // As the worker folds them: on the default policy (accept: one working day), taking the deadlines the events record.
  const clocks = foldClocks(
    events.map(({ type, data, metadata }) => ({ event: { type, data } as unknown as CaseEvent, meta: metadata as unknown as CaseEventMeta })),
    DEFAULT_SLA_POLICY,
  );

  it('files the case an accept clock before its due time and records the warning raised meanwhile', () => {
    expect(events.map((event) => event.type)).toEqual(['CaseFiled', 'SlaWarningRaised']);
    expect(Date.parse(String(events[0]!.metadata.at))).toBe(dueAtMs - ACCEPT_SECONDS * 1000);
    expect((events[0]!.metadata as CaseEventMetadata).deadlines).toEqual([expect.objectContaining({ clock: 'accept', startedAtRevision: 0 })]);
  });

  it('leaves one timer pending: the breach of the warned accept run, at the due time', () => {
    const [accept] = clocks.clocks;
    expect(accept).toMatchObject({ clock: 'accept', state: 'warned' });
    expect(Date.parse(accept!.dueAt)).toBe(dueAtMs);
    const pending = pendingSlaTimers(clocks.clocks);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ command: 'RecordSlaBreach', alert: { clock: 'accept', startedAtRevision: 0 } });
    expect(Date.parse(pending[0]!.fireAt)).toBe(dueAtMs);
  });
});
