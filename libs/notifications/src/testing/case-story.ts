import { evolve, initialState, type CaseEvent, type CaseState, type ExistingCase } from '#domain';
import type { RecordedEvent } from '#event-store';

/** Test support: a case's stream written event by event, with the state after each. */

export const CASE_ID = '0195a1b2-0000-7000-8000-0000000000c1';

export interface Actor {
  readonly id: string;
  readonly role: string;
  readonly unitId: string | null;
}

export const SYSTEM: Actor = { id: 'system', role: 'system', unitId: null };

export interface Step {
  readonly event: RecordedEvent;
  readonly state: ExistingCase;
}

export class CaseStory {
  private state: CaseState = initialState;
  private revision = 0;
  private position = 1000;
  private minute = 0;

  then(event: CaseEvent, actor: Actor): Step {
    const at = new Date(Date.UTC(2026, 2, 2, 1, this.minute)).toISOString().replace('Z', '+00:00');
    const revision = this.revision++;
    const recorded: RecordedEvent = {
      id: `0195a1b2-0000-7000-8000-${(0xe00 + revision).toString(16).padStart(12, '0')}`,
      type: event.type,
      schemaVersion: 1,
      data: event.data as unknown as Record<string, unknown>,
      metadata: { actorId: actor.id, actorRole: actor.role, unitId: actor.unitId, at, correlationId: 'c', causationId: null },
      streamId: `case-${CASE_ID}`,
      revision,
      globalPosition: this.position,
      position: { commit: BigInt(this.position), prepare: BigInt(this.position) },
      prevHash: null,
      hash: 'h',
    };
    this.position += 7;
    this.minute += 1;
    this.state = evolve(this.state, event, { at, actorId: actor.id, actorRole: actor.role, unitId: actor.unitId });
    return { event: recorded, state: this.state as ExistingCase };
  }
}

export function filed(unitId: string, title = '停车位纠纷'): CaseEvent {
  return {
    type: 'CaseFiled',
    data: {
      caseId: CASE_ID,
      number: 'MY-2026-000001',
      kind: 'dispute',
      title,
      description: '业主与物业因停车位分配发生争执，请求社区调解。',
      channel: 'walk_in',
      unitId,
      urgency: 'normal',
      filer: { name: '张三', phone: '13800000000', anonymous: false },
      parties: [],
      visitReason: null,
      occurredAt: null,
      location: null,
    },
  };
}
