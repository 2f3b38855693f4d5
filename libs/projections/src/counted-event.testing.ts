import { randomUUID } from 'node:crypto';
import type { NewEvent } from '#event-store';

/** A bare event carrying a number, for projection tests that count or sum what they applied. */
export function countedEvent(n: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'Counted',
    schemaVersion: 1,
    data: { n },
    metadata: { actorId: 'test', actorRole: 'system', unitId: null, at: new Date().toISOString(), correlationId: randomUUID(), causationId: null },
  };
}
