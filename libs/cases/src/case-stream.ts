import type { CaseEvent, CaseEventMeta, CaseEventWithMeta } from '#domain';
import type { EventMetadata, RecordedEvent } from '#event-store';

const PREFIX = 'case-';

/** A case is one event stream, `case-<uuid>`. */
export function caseStreamId(caseId: string): string {
  return `${PREFIX}${caseId}`;
}

export function isCaseStream(streamId: string): boolean {
  return streamId.startsWith(PREFIX);
}

export function caseIdOf(streamId: string): string {
  return streamId.slice(PREFIX.length);
}

/** One case of a batch: the events its read-model row does not hold yet, and that row (if any). */
export interface FreshCase<Row> {
  readonly stored: Row | undefined;
  readonly fresh: readonly RecordedEvent[];
}

/**
 * The cases of a batch of the global log that have events their read-model rows do not hold yet,
 * each with its events in log order, for a projection that keeps one row per case (with the
 * revision it holds) and folds the next events onto it. `readStored` reads back the rows of the
 * cases begun before the batch: only these can have one, so a batch of filings reads nothing.
 * Events a row already holds are skipped, so a batch applied again changes nothing.
 */
export async function freshCaseEvents<Row extends { readonly case_id: string; readonly revision: number }>(
  events: readonly RecordedEvent[],
  readStored: (caseIds: readonly string[]) => Promise<readonly Row[]>,
): Promise<FreshCase<Row>[]> {
  const byCase = new Map<string, RecordedEvent[]>();
  for (const event of events) {
    if (!isCaseStream(event.streamId)) continue;
    const caseId = caseIdOf(event.streamId);
    const caseEvents = byCase.get(caseId);
    if (caseEvents) caseEvents.push(event);
    else byCase.set(caseId, [event]);
  }
  const begunBefore = [...byCase].filter(([, caseEvents]) => caseEvents[0]!.revision > 0).map(([caseId]) => caseId);
  const stored = new Map(begunBefore.length > 0 ? (await readStored(begunBefore)).map((row) => [row.case_id, row]) : []);
  const cases: FreshCase<Row>[] = [];
  for (const [caseId, caseEvents] of byCase) {
    const row = stored.get(caseId);
    const fresh = caseEvents.filter((event) => event.revision > (row?.revision ?? -1));
    if (fresh.length > 0) cases.push({ stored: row, fresh });
  }
  return cases;
}

/** A stored event as the domain folds it. */
export function toCaseEvent(recorded: RecordedEvent): CaseEventWithMeta {
  const { at, actorId, actorRole, unitId } = recorded.metadata;
  const { deadlines } = recorded.metadata as CaseEventMetadata;
  return {
    event: { type: recorded.type, data: recorded.data } as CaseEvent,
    meta: deadlines === undefined ? { at, actorId, actorRole, unitId } : { at, actorId, actorRole, unitId, deadlines },
  };
}

/**
 * A case event's metadata: the store's envelope, the SLA deadlines the event set (CaseEventMeta),
 * when it recorded them, and the request id the client sent (`X-Request-Id`), when it sent one.
 */
export type CaseEventMetadata = EventMetadata & Pick<CaseEventMeta, 'deadlines'> & { readonly clientRequestId?: string };
