import type pg from 'pg';
import { caseIdOf, caseStreamId, isCaseStream, toCaseEvent } from '#cases';
import { caseClocks, SYSTEM_ACTOR, type SlaAlert, type SlaPolicy } from '#domain';
import type { EventStore, RecordedEvent } from '#event-store';
import { isNotifyingEventType } from '#notifications';
import { inTransaction } from '#database';
import type { Projection } from '#projections';
import { EVENT_OF_ACTION, type AckedCommand } from './soak-load.js';

/**
 * What the soak proves once the load has stopped and the engine has settled, each from the event
 * log (what was acknowledged, what fired, what was told) rather than from the engine's own
 * bookkeeping (timer rows, job queues, checkpoints), which is what it puts to the test.
 */

/** The whole log, in log order. */
export async function readWholeLog(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const batch = await store.readAll({ after: events.at(-1)?.position ?? null, maxCount: 5_000 });
    if (batch.length === 0) return events;
    events.push(...batch);
  }
}

/**
 * Acknowledged commands whose event is not in the log as their answer named it: no event of the
 * command's type at that revision of the case's stream and at that global position.
 */
export function lostAcknowledged(acked: readonly AckedCommand[], log: readonly RecordedEvent[]): AckedCommand[] {
  const byPosition = new Map(log.map((event) => [event.globalPosition, event]));
  return acked.filter((command) => {
    const event = byPosition.get(command.position);
    return !event || event.streamId !== caseStreamId(command.caseId) || event.revision !== command.revision || event.type !== EVENT_OF_ACTION[command.action];
  });
}

/**
 * Events recorded twice: every text the load sends carries a serial of its own (`#12.3`), so two
 * events with the same type and data holding one are one command applied twice (a filing whose
 * retry made a second case, a note added again). Counts the extra copies.
 */
export function duplicatedEvents(log: readonly RecordedEvent[]): number {
  const seen = new Map<string, number>();
  for (const event of log) {
    // A filing made twice is two cases: their ids and numbers differ, the rest is the same.
    const { caseId: _caseId, number: _number, ...rest } = event.data as Record<string, unknown>;
    const data = JSON.stringify(event.type === 'CaseFiled' ? rest : event.data);
    if (!/#\d+/.test(data)) continue;
    const key = `${event.type} ${data}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.values()].reduce((extra, n) => extra + n - 1, 0);
}

export interface TimerOutcome {
  /** Breach timers that were due (see `breachTimers`). */
  readonly due: number;
  readonly firedOnce: number;
  readonly missed: number;
  /** Runs of a clock with more than one SlaBreached (due or not). */
  readonly duplicated: number;
  /** The due runs with no breach, as `case clock@revision due …`, for the log. */
  readonly missedRuns: readonly string[];
}

/**
 * Did every due SLA timer fire exactly once? A run of a case's clock (clock + the revision that
 * started it) is **due** when its due time is at least `graceMs` before `checkedAt`, and the run
 * was still open `graceMs` after its due time: no event but an SLA alert ended it (met, stopped,
 * or left by the case) before then; what the engine did itself on the breach (an escalation)
 * does not count as ending it. Such a run must have exactly one `SlaBreached`. A run that a
 * person's move ended within the grace is not counted either way: its breach and that move raced,
 * and the engine rightly records whichever came first. The runs are worked out by the domain's
 * clock fold over each case's events, at the deadlines the events recorded.
 */
export function breachTimers(log: readonly RecordedEvent[], policy: SlaPolicy, checkedAt: number, graceMs: number): TimerOutcome {
  const streams = new Map<string, RecordedEvent[]>();
  for (const event of log) {
    if (!isCaseStream(event.streamId)) continue;
    const events = streams.get(event.streamId);
    if (events) events.push(event);
    else streams.set(event.streamId, [event]);
  }
  let due = 0;
  let firedOnce = 0;
  let duplicated = 0;
  const missedRuns: string[] = [];
  for (const [streamId, events] of streams) {
    const breaches = new Map<string, number>();
    for (const event of events) {
      if (event.type !== 'SlaBreached') continue;
      const { clock, startedAtRevision } = event.data as SlaAlert;
      breaches.set(`${clock}@${startedAtRevision}`, (breaches.get(`${clock}@${startedAtRevision}`) ?? 0) + 1);
    }
    duplicated += [...breaches.values()].filter((n) => n > 1).length;
    // What the engine did itself (an escalation on breach) ends no run early: only a person's move does.
    const systemMoves = new Set(events.filter((event) => event.metadata.actorId === SYSTEM_ACTOR.userId).map((event) => event.metadata.at));
    for (const run of caseClocks(events.map(toCaseEvent), policy)) {
      const dueAt = Date.parse(run.dueAt);
      if (dueAt + graceMs > checkedAt) continue;
      const endedByMove = run.stoppedAt !== null && !systemMoves.has(run.stoppedAt);
      if (endedByMove && Date.parse(run.stoppedAt!) < dueAt + graceMs) continue;
      due++;
      const fired = breaches.get(`${run.clock}@${run.startedAtRevision}`) ?? 0;
      if (fired === 1) firedOnce++;
      if (fired === 0) missedRuns.push(`${caseIdOf(streamId)} ${run.clock}@${run.startedAtRevision} due ${run.dueAt}`);
    }
  }
  return { due, firedOnce, missed: missedRuns.length, duplicated, missedRuns };
}

/** The webhook deliveries the log calls for: one per notifying event of a case, its id the delivery id. */
export function expectedDeliveries(log: readonly RecordedEvent[]): Set<string> {
  return new Set(log.filter((event) => isCaseStream(event.streamId) && isNotifyingEventType(event.type)).map((event) => event.id));
}

export interface ReadModelComparison {
  readonly projection: string;
  readonly table: string;
  /** Rows in the live table and not in the rebuilt copy, and the other way round. */
  readonly onlyLive: number;
  readonly onlyRebuilt: number;
}

/**
 * Rebuilds each read model from the whole log into a scratch schema (as `rebuild` does, without
 * swapping it in) and compares every table with the live one, row by row (as JSON, so column order
 * does not matter). The live tables must be still: call it with the engine's processes stopped.
 */
export async function compareWithRebuild(pool: pg.Pool, store: EventStore, projections: readonly Projection[]): Promise<ReadModelComparison[]> {
  const comparisons: ReadModelComparison[] = [];
  const client = await pool.connect();
  try {
    for (const projection of projections) {
      const scratch = `soak_rebuilt_${projection.name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
      const inScratch = (work: () => Promise<void>) => inTransaction(client, work, `BEGIN; SET LOCAL search_path TO ${scratch}, public`);
      await client.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE; CREATE SCHEMA ${scratch}`);
      try {
        await inScratch(() => projection.migrate(client));
        let after = null;
        for (;;) {
          const batch = await store.readAll({ after, maxCount: 5_000 });
          if (batch.length === 0) break;
          after = batch.at(-1)!.position;
          // Only rows are compared: what a projection would do after its commit is not run here.
          await inScratch(async () => {
            await projection.apply(client, batch);
          });
        }
        for (const table of projection.tables ?? []) {
          const live = `public.${client.escapeIdentifier(table)}`;
          const rebuilt = `${scratch}.${client.escapeIdentifier(table)}`;
          const { rows } = await client.query<{ only_live: string; only_rebuilt: string }>(
            `SELECT (SELECT count(*) FROM (SELECT to_jsonb(l) FROM ${live} l EXCEPT ALL SELECT to_jsonb(r) FROM ${rebuilt} r) x) AS only_live,
                    (SELECT count(*) FROM (SELECT to_jsonb(r) FROM ${rebuilt} r EXCEPT ALL SELECT to_jsonb(l) FROM ${live} l) x) AS only_rebuilt`,
          );
          comparisons.push({ projection: projection.name, table, onlyLive: Number(rows[0]!.only_live), onlyRebuilt: Number(rows[0]!.only_rebuilt) });
        }
      } finally {
        await client.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE`);
      }
    }
  } finally {
    client.release();
  }
  return comparisons;
}
