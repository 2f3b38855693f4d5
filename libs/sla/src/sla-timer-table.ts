import type pg from 'pg';
import { runMigrations, type Migration, type MigrationTarget } from '#database';
import type { SlaAlert, SlaTimer } from '#domain';

/** A warning or breach timer of one run of a case's clock: the domain's `SlaTimer`, for a case. */
export type CaseTimer = SlaTimer & { readonly caseId: string };

/** A timer row claimed to fire: `attempts` counts this claim. */
export type ClaimedTimer = CaseTimer & { readonly id: string; readonly attempts: number };

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

const SLA_TIMER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'timers',
    up: `
      CREATE TABLE IF NOT EXISTS sla_timers (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        case_id         uuid NOT NULL,
        clock           text NOT NULL,
        run_revision    integer NOT NULL,
        kind            text NOT NULL CHECK (kind IN ('warn', 'breach')),
        due_at          timestamptz NOT NULL,
        deadline        text NOT NULL,
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_error      text,
        UNIQUE (case_id, clock, run_revision, kind, due_at)
      );
      CREATE INDEX IF NOT EXISTS sla_timers_next_attempt ON sla_timers (next_attempt_at) WHERE next_attempt_at IS NOT NULL;`,
  },
];

const KIND_OF_COMMAND = { RaiseSlaWarning: 'warn', RecordSlaBreach: 'breach' } as const;
const COMMAND_OF_KIND = { warn: 'RaiseSlaWarning', breach: 'RecordSlaBreach' } as const;

/** The second a timer falls due in (epoch seconds): what its tick is named after. */
export function dueSecond(at: Date | string | number): number {
  return Math.floor(new Date(at).getTime() / 1000);
}

/**
 * `sla_timers`, in the main database: one row per warning or breach still to fire. The SLA timer
 * reactor writes and deletes rows in its projection transaction, so scheduling moves with its
 * checkpoint; tick jobs on BullMQ wake the workers that claim the rows falling due.
 *
 * - The unique key (case, clock, run, kind, due time) makes writing a timer again a no-op, so a
 *   replay of the log adds nothing twice. An extension moves the due time: a new row.
 * - `next_attempt_at` is when the row may be claimed: its due time, then a lease while a worker
 *   fires it, then a backoff after a failure; NULL once it has failed too often (kept, with
 *   `last_error`, for an operator to look at).
 * - `deadline` is the run's due time as the clock gives it (with the policy's offset), which the
 *   warning or breach names; for a breach it is the due time itself.
 *
 * The SQL names the table unqualified, like every table of the main database.
 */
export class SlaTimerTable {
  constructor(private readonly pool: Queryable) {}

  /** Brings the table up to date: on the pool, or on a connection the caller holds outside a transaction. */
  static async migrate(target: MigrationTarget): Promise<void> {
    await runMigrations(target, 'sla-timers', SLA_TIMER_MIGRATIONS);
  }

  /**
   * Makes the rows of these cases the given timers, inside the caller's transaction: writes the
   * new ones and deletes the rest (runs that stopped, due times an extension moved). Answers the
   * seconds the timers fall due in, for their ticks.
   */
  async replace(client: Queryable, caseIds: Iterable<string>, timers: readonly CaseTimer[]): Promise<number[]> {
    const cases = [...caseIds];
    if (cases.length === 0) return [];
    const rows = columns(timers);
    // Locks the rows it deletes in id order, as a worker deleting fired rows does: neither can
    // hold a row the other waits for while waiting for one the other holds.
    await client.query(
      `DELETE FROM sla_timers WHERE id IN (
         SELECT id FROM sla_timers t
          WHERE t.case_id = ANY($1::uuid[])
            AND NOT EXISTS (
              SELECT 1 FROM unnest($2::uuid[], $3::text[], $4::int[], $5::text[], $6::timestamptz[]) AS k(case_id, clock, run_revision, kind, due_at)
               WHERE (k.case_id, k.clock, k.run_revision, k.kind, k.due_at) = (t.case_id, t.clock, t.run_revision, t.kind, t.due_at))
          ORDER BY id FOR UPDATE)`,
      [cases, rows.caseIds, rows.clocks, rows.runs, rows.kinds, rows.dueAts],
    );
    await insert(client, rows);
    return secondsOf(timers);
  }

  /**
   * Writes the timers that are missing, and leaves every other row alone: what a rebuild from
   * the log does outside the reactor's transaction. (Deleting rows there could remove one the
   * reactor has just written for a newer state of the case; a stale row only fires to no effect.)
   */
  async upsert(timers: readonly CaseTimer[]): Promise<void> {
    await insert(this.pool, columns(timers));
  }

  /**
   * Claims up to `limit` rows due at `now`, oldest first, skipping rows another worker or the
   * reactor holds: each gets one more attempt and a lease until `leaseUntil`, after which it is
   * due again (a worker that died while firing it). A short statement of its own, so that no
   * transaction stays open in the main database while the timers fire.
   */
  async claimDue(now: Date, limit: number, leaseUntil: Date): Promise<ClaimedTimer[]> {
    const { rows } = await this.pool.query<TimerRow>(
      `UPDATE sla_timers t
          SET attempts = t.attempts + 1, next_attempt_at = $3
         FROM (SELECT id FROM sla_timers WHERE next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED) due
        WHERE t.id = due.id
    RETURNING t.id, t.case_id, t.clock, t.run_revision, t.kind, t.due_at, t.deadline, t.attempts`,
      [now, limit, leaseUntil],
    );
    // RETURNING keeps no order: oldest due first, as claimed.
    return rows.sort((a, b) => a.due_at.getTime() - b.due_at.getTime()).map(fromRow);
  }

  /** Deletes fired rows, locking them in id order (see `replace`). */
  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query('DELETE FROM sla_timers WHERE id IN (SELECT id FROM sla_timers WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE)', [ids]);
  }

  /** A row whose firing failed: due again at `at`, or never again when `at` is null (given up). */
  async retryAt(id: string, at: Date | null, error: string): Promise<void> {
    await this.pool.query('UPDATE sla_timers SET next_attempt_at = $2, last_error = $3 WHERE id = $1', [id, at, error]);
  }

  /** When the next row falls due, if before `before`. */
  async nextDueBefore(before: Date): Promise<Date | null> {
    const { rows } = await this.pool.query<{ next: Date | null }>('SELECT min(next_attempt_at) AS next FROM sla_timers WHERE next_attempt_at < $1', [before]);
    return rows[0]?.next ?? null;
  }

  /** The seconds of the oldest rows due by `at` (up to `limit` seconds, from the oldest 1,000 rows). */
  async dueSeconds(at: Date, limit: number): Promise<number[]> {
    const { rows } = await this.pool.query<{ next_attempt_at: Date }>(
      'SELECT next_attempt_at FROM sla_timers WHERE next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT 1000',
      [at],
    );
    return [...new Set(rows.map((row) => dueSecond(row.next_attempt_at)))].slice(0, limit);
  }

  /** Every second a row falls due in, in pages of `pageSize`, oldest first. */
  async *pendingSeconds(pageSize = 1_000): AsyncGenerator<number[]> {
    for (let after = -1; ; ) {
      const { rows } = await this.pool.query<{ second: string }>(
        `SELECT DISTINCT floor(extract(epoch FROM next_attempt_at))::bigint AS second
           FROM sla_timers
          WHERE next_attempt_at >= to_timestamp($1::bigint + 1)
          ORDER BY 1 LIMIT $2`,
        [after, pageSize],
      );
      if (rows.length === 0) return;
      const seconds = rows.map((row) => Number(row.second));
      yield seconds;
      after = seconds.at(-1)!;
      if (rows.length < pageSize) return;
    }
  }
}

interface TimerRow {
  id: string;
  case_id: string;
  clock: SlaAlert['clock'];
  run_revision: number;
  kind: keyof typeof COMMAND_OF_KIND;
  due_at: Date;
  deadline: string;
  attempts: number;
}

function fromRow(row: TimerRow): ClaimedTimer {
  return {
    id: row.id,
    caseId: row.case_id,
    command: COMMAND_OF_KIND[row.kind],
    fireAt: row.due_at.toISOString(),
    alert: { clock: row.clock, dueAt: row.deadline, startedAtRevision: row.run_revision },
    attempts: row.attempts,
  };
}

interface Columns {
  caseIds: string[];
  clocks: string[];
  runs: number[];
  kinds: string[];
  dueAts: string[];
  deadlines: string[];
}

function columns(timers: readonly CaseTimer[]): Columns {
  const result: Columns = { caseIds: [], clocks: [], runs: [], kinds: [], dueAts: [], deadlines: [] };
  for (const timer of timers) {
    result.caseIds.push(timer.caseId);
    result.clocks.push(timer.alert.clock);
    result.runs.push(timer.alert.startedAtRevision);
    result.kinds.push(KIND_OF_COMMAND[timer.command]);
    result.dueAts.push(timer.fireAt);
    result.deadlines.push(timer.alert.dueAt);
  }
  return result;
}

/** Inserts the rows not there yet, in key order, so that two writers of the same rows take their locks in the same order. */
async function insert(client: Queryable, rows: Columns): Promise<void> {
  if (rows.caseIds.length === 0) return;
  await client.query(
    `INSERT INTO sla_timers (case_id, clock, run_revision, kind, due_at, deadline, next_attempt_at)
     SELECT case_id, clock, run_revision, kind, due_at, deadline, due_at
       FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::timestamptz[], $6::text[]) AS k(case_id, clock, run_revision, kind, due_at, deadline)
      ORDER BY case_id, clock, run_revision, kind, due_at
     ON CONFLICT (case_id, clock, run_revision, kind, due_at) DO NOTHING`,
    [rows.caseIds, rows.clocks, rows.runs, rows.kinds, rows.dueAts, rows.deadlines],
  );
}

function secondsOf(timers: readonly CaseTimer[]): number[] {
  return [...new Set(timers.map((timer) => dueSecond(timer.fireAt)))];
}
