import type { PoolClient } from 'pg';
import { caseIdOf, isCaseStream } from '#cases';
import type { RecordedEvent } from '#event-store';
import type { Projection } from '#projections';
import { PUBLIC_STEP_TYPES } from './public-narrative.js';

export const PUBLIC_FILINGS_READ_MODEL = 'public-filings';

const STEP_TYPES: ReadonlySet<string> = new Set(PUBLIC_STEP_TYPES);

/**
 * The cases residents filed themselves, by number and by receipt: the hash of their CaseFiled
 * event as it was when filed, and the latest step the public timeline tells of (what Open311
 * lists say of each case). What a case is now otherwise (status, unit) stays in `case_view`;
 * this table answers which cases the public routes and Open311 may speak of, and which receipt
 * is whose.
 */
export class PublicFilingsProjection implements Projection {
  readonly name = PUBLIC_FILINGS_READ_MODEL;
  /** 2: the latest public step. */
  readonly version = 2;
  readonly tables = ['public_filings'];
  readonly rowsFollowStreams = true;
  readonly runsInLanes = true;

  handles(event: RecordedEvent): boolean {
    return isCaseStream(event.streamId) && (isPublicFiling(event) || (event.type !== 'CaseFiled' && STEP_TYPES.has(event.type)));
  }

  async migrate(client: PoolClient): Promise<void> {
    await client.query(`
      CREATE TABLE IF NOT EXISTS public_filings (
        case_id          uuid PRIMARY KEY,
        number           text NOT NULL UNIQUE,
        receipt_hash     text NOT NULL UNIQUE,
        position         bigint NOT NULL,
        kind             text NOT NULL,
        filed_at         timestamptz NOT NULL,
        step_revision    integer NOT NULL,
        step_type        text NOT NULL,
        step_data        json NOT NULL
      );
      CREATE INDEX IF NOT EXISTS public_filings_filed_at ON public_filings (filed_at DESC);`);
  }

  async reset(client: PoolClient): Promise<void> {
    await client.query('TRUNCATE public_filings');
  }

  async apply(client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    // The latest step of each case in the batch; a case that no resident filed matches no row.
    const steps = new Map<string, { case_id: string; step_revision: number; step_type: string; step_data: unknown }>();
    for (const event of events) {
      if (!this.handles(event)) continue;
      const caseId = caseIdOf(event.streamId);
      if (event.type === 'CaseFiled') {
        await client.query(
          `INSERT INTO public_filings (case_id, number, receipt_hash, position, kind, filed_at, step_revision, step_type, step_data)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (case_id) DO NOTHING`,
          [caseId, String(event.data.number), event.hash, event.globalPosition, String(event.data.kind), new Date(String(event.metadata.at)), event.revision, event.type, JSON.stringify(event.data)],
        );
      } else {
        steps.set(caseId, { case_id: caseId, step_revision: event.revision, step_type: event.type, step_data: event.data });
      }
    }
    if (steps.size === 0) return;
    await client.query(
      `UPDATE public_filings f SET step_revision = r.step_revision, step_type = r.step_type, step_data = r.step_data
         FROM json_to_recordset($1::json) AS r(case_id uuid, step_revision integer, step_type text, step_data json)
        WHERE f.case_id = r.case_id AND f.step_revision < r.step_revision`,
      [JSON.stringify([...steps.values()])],
    );
  }
}

function isPublicFiling(event: RecordedEvent): boolean {
  if (event.type !== 'CaseFiled' || event.revision !== 0) return false;
  const access = event.data.publicAccess as { codeDigest?: unknown } | undefined;
  return typeof access?.codeDigest === 'string';
}
