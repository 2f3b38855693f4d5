import type { CaseEvent, CaseEventWithMeta } from '../case/events.js';
import { testMeta } from './fixtures.js';

/** A case history whose events were recorded at the given times: `[at, event]` pairs, oldest first. */
export function timed(...steps: readonly (readonly [at: string, event: CaseEvent])[]): CaseEventWithMeta[] {
  return steps.map(([at, event]) => ({ event, meta: { ...testMeta, at } }));
}

export const accepted: CaseEvent = { type: 'CaseAccepted', data: { note: null } };
export const resolved: CaseEvent = { type: 'CaseResolved', data: { outcome: 'mediated', summary: '双方达成调解协议' } };

export function escalated(fromUnitId: string, toUnitId: string): CaseEvent {
  return { type: 'CaseEscalated', data: { fromUnitId, toUnitId, reason: '需上级协调' } };
}
