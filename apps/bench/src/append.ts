/**
 * Append benchmark: the event store's append throughput as a ratio of the server's durable-write
 * limit, measured in one process against the same PostgreSQL, plus the cost of loading a case.
 *
 *   (a) raw:    BEGIN; INSERT one row; COMMIT, from W concurrent connections
 *   (b) append: PostgresEventStore.appendToStream of one event at an exact expected revision, to
 *               streams that exist (each writer owns its streams), from W concurrent writers
 *   (c) fold:   readStream of a 200-event case stream, folded with the domain's evolve
 * and, for reference only, a raw autocommit INSERT (one round trip, like an append).
 *
 * The write workloads take turns in one-second slices, so that load from outside the benchmark
 * falls on all of them alike; (c) runs alone.
 *
 * With EVENTSTORE_URL set, (b) and (c) run on that EventStoreDB / KurrentDB through its adapter
 * instead; (a) still measures PostgreSQL, for reference only: the two are different servers, so
 * no ratio is given (`ratio: null`).
 *
 * Env: BENCH_DATABASE_URL (a server where a scratch database may be created; else an embedded
 * PostgreSQL is started), EVENTSTORE_URL (unset), BENCH_WRITERS (32), BENCH_SECONDS (10, measured
 * per workload), BENCH_WARMUP_SECONDS (2, per workload), BENCH_SLICE_SECONDS (1).
 * The last line printed is the JSON summary.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { CURRENT_SCHEMA_VERSION, fold, type CaseEvent, type CaseEventWithMeta } from '#domain';
import { EsdbEventStore, migrateEventStore, PostgresEventStore, type EventMetadata, type EventStore, type NewEvent, type RecordedEvent } from '#event-store';
import { log, measureInTurns, openScratchDatabase, positiveInt, positiveNumber, rawCommitOp, type Op } from './support.js';

const WRITERS = positiveInt('BENCH_WRITERS', 32);
const SECONDS = positiveNumber('BENCH_SECONDS', 10);
const WARMUP_SECONDS = positiveNumber('BENCH_WARMUP_SECONDS', 2);
const SLICE_SECONDS = positiveNumber('BENCH_SLICE_SECONDS', 1);
/** The events in EventStoreDB / KurrentDB for (b) and (c) when set. */
const EVENTSTORE_URL = process.env.EVENTSTORE_URL?.trim() || undefined;
const STREAMS_PER_WRITER = 4;
const FOLD_EVENTS = 200;

function metadata(): EventMetadata {
  return {
    actorId: 'hd-dg.coordinator',
    actorRole: 'coordinator',
    unitId: 'hd-dg',
    at: new Date().toISOString(),
    correlationId: uuidv7(),
    causationId: null,
  };
}

/** A note as coordinators log them: the typical small event of a case's life. */
function noteEvent(index: number): CaseEvent {
  return { type: 'NoteAdded', data: { noteType: index % 3 === 0 ? 'visit' : 'contact', text: `第${index}次电话联系当事人，了解调解进展 ☎️` } };
}

/** A realistic case history: filed, accepted, assigned, then notes, transfers and extensions. */
function caseHistory(caseId: string, length: number): CaseEvent[] {
  const events: CaseEvent[] = [
    {
      type: 'CaseFiled',
      data: {
        caseId,
        number: 'MY-2026-000001',
        kind: 'dispute',
        title: '楼上漏水纠纷',
        description: '住户反映楼上装修导致漏水，双方协商未果。',
        channel: 'walk_in',
        unitId: 'hd-dg',
        urgency: 'normal',
        filer: { name: '张三', phone: '13800000000', anonymous: false },
        parties: [
          { name: '张三', role: '楼下住户' },
          { name: '李四', role: '楼上住户' },
        ],
        visitReason: null,
        occurredAt: null,
        location: { address: '东关街道1号楼' },
      },
    },
    { type: 'CaseAccepted', data: { note: '已受理' } },
    { type: 'CaseAssigned', data: { assigneeId: 'hd-dg.coordinator', assigneeUnitId: 'hd-dg' } },
  ];
  for (let i = events.length; i < length; i++) {
    if (i % 25 === 0) events.push({ type: 'DeadlineExtended', data: { clock: 'resolve', workingDays: 5, reason: '当事人外出，延期调解' } });
    else if (i % 40 === 0) events.push({ type: 'CaseTransferred', data: { fromUnitId: 'hd-dg', toUnitId: 'hd-dg', reason: '转交' } });
    else events.push(noteEvent(i));
  }
  return events;
}

function toNewEvent(event: CaseEvent): NewEvent {
  return { id: uuidv7(), type: event.type, schemaVersion: CURRENT_SCHEMA_VERSION, data: event.data as Record<string, unknown>, metadata: metadata() };
}

function toCaseEvent(event: RecordedEvent): CaseEventWithMeta {
  return { event: { type: event.type, data: event.data } as CaseEvent, meta: event.metadata };
}

async function main(): Promise<void> {
  const database = await openScratchDatabase('minyi_bench');
  const pool = new pg.Pool({ connectionString: database.url, max: WRITERS + 2 });
  pool.on('error', () => undefined);
  const store: EventStore = EVENTSTORE_URL ? new EsdbEventStore({ url: EVENTSTORE_URL }) : new PostgresEventStore({ pool });
  const storeName = EVENTSTORE_URL ? 'EventStoreDB' : 'PostgreSQL';
  try {
    const info = await pool.query<{ version: string; fsync: string; sync: string }>(
      "SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync",
    );
    const server = info.rows[0]!;
    log(`server: ${new URL(database.url).host}, PostgreSQL ${server.version}, fsync=${server.fsync}, synchronous_commit=${server.sync}`);
    log(`database: ${database.name}; ${WRITERS} writers; per workload ${WARMUP_SECONDS} s warm-up + ${SECONDS} s measured`);
    log(`event store under test: ${storeName}`);
    if (!EVENTSTORE_URL) await migrateEventStore(pool);

    // (a) The durable-write limit: one row per transaction, with an explicit BEGIN and COMMIT.
    const rawData = JSON.stringify(noteEvent(1).data);
    const rawInsert = await rawCommitOp(pool, rawData);

    // (b) Appends of one event at an exact expected revision, to streams each writer owns.
    const streams = await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        const owned: { id: string; revision: number }[] = [];
        for (let i = 0; i < STREAMS_PER_WRITER; i++) {
          const caseId = uuidv7();
          const id = `case-${caseId}`;
          const result = await store.appendToStream(id, caseHistory(caseId, 1).map(toNewEvent), { expectedRevision: 'no_stream' });
          owned.push({ id, revision: result.nextExpectedRevision });
        }
        return { owned, next: 0 };
      }),
    );
    let noteIndex = 0;
    const append: Op = async (writer) => {
      const mine = streams[writer]!;
      const stream = mine.owned[mine.next++ % mine.owned.length]!;
      const result = await store.appendToStream(stream.id, [toNewEvent(noteEvent(noteIndex++))], { expectedRevision: stream.revision });
      stream.revision = result.nextExpectedRevision;
    };

    // For reference: the same row in one round trip (an autocommit INSERT), which is what an
    // append is on the wire; not part of the ratio.
    const rawAutocommit: Op = async (writer) => {
      await pool.query({ name: 'bench_raw_insert', text: 'INSERT INTO raw_inserts (stream_id, data) VALUES ($1, $2)', values: [`raw-${writer}`, rawData] });
    };

    await pool.query('CHECKPOINT').catch(() => undefined);
    const [raw, appends, autocommit] = (await measureInTurns(WRITERS, { warmupSeconds: WARMUP_SECONDS, seconds: SECONDS, sliceSeconds: SLICE_SECONDS }, [
      { label: '(a) raw BEGIN; INSERT; COMMIT', op: rawInsert },
      { label: `(b) appendToStream, 1 event, exact revision (${storeName})`, op: append },
      { label: '    (reference) raw autocommit INSERT', op: rawAutocommit },
    ])) as [number, number, number];
    // A ratio only of the same server's figures.
    const ratio = EVENTSTORE_URL ? null : appends / raw;
    if (ratio !== null) {
      log(`ratio (b)/(a)                                ${ratio.toFixed(2).padStart(8)}`);
      log(`    (reference) (b)/autocommit INSERT        ${(appends / autocommit).toFixed(2).padStart(8)}`);
    }

    // (c) Loading a case: read its 200 events and fold them with the domain's evolve.
    const caseId = uuidv7();
    const foldStream = `case-${caseId}`;
    const history = caseHistory(caseId, FOLD_EVENTS).map(toNewEvent);
    let revision: number | 'no_stream' = 'no_stream';
    for (let i = 0; i < history.length; i += 50) {
      revision = (await store.appendToStream(foldStream, history.slice(i, i + 50), { expectedRevision: revision })).nextExpectedRevision;
    }
    const timings: number[] = [];
    const foldUntil = performance.now() + (WARMUP_SECONDS + Math.min(SECONDS, 5)) * 1000;
    const warmUntil = performance.now() + WARMUP_SECONDS * 1000;
    let notes = 0;
    while (performance.now() < foldUntil) {
      const started = performance.now();
      const events = await store.readStream(foldStream);
      const state = fold(events.map(toCaseEvent));
      const ms = performance.now() - started;
      if (state.status === 'none' || events.length !== FOLD_EVENTS) throw new Error('the fold did not produce the case');
      notes = state.notes.length;
      if (started >= warmUntil) timings.push(ms);
    }
    timings.sort((x, y) => x - y);
    const mean = timings.reduce((sum, ms) => sum + ms, 0) / timings.length;
    const pct = (p: number) => timings[Math.min(timings.length - 1, Math.floor(p * timings.length))]!;
    log(
      `(c) readStream + fold, ${FOLD_EVENTS} events              ${mean.toFixed(2).padStart(8)} ms mean` +
        `  (p50 ${pct(0.5).toFixed(2)}, p95 ${pct(0.95).toFixed(2)}, ${timings.length} loads, ${notes} notes in the state)`,
    );

    log(
      JSON.stringify({
        store: storeName,
        writers: WRITERS,
        rawEventsPerSecond: Math.round(raw),
        eventsPerSecond: Math.round(appends),
        ratio: ratio === null ? null : Math.round(ratio * 100) / 100,
        fold200Ms: Math.round(mean * 100) / 100,
      }),
    );
  } finally {
    await store.close();
    await pool.end();
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
