import type { PoolClient } from 'pg';
import { caseIdOf, isCaseStream } from '#cases';
import type { RecordedEvent } from '#event-store';
import type { Projection } from '#projections';

export const PUBLIC_FILINGS_READ_MODEL = 'public-filings';

/**
 * The cases residents filed themselves, by number and by receipt: the hash of their CaseFiled
 * event as it was when filed. What a case is now (status, unit) stays in `case_view`; this table
 * answers which cases the public routes and Open311 may speak of, and which receipt is whose.
 */
export class PublicFilingsProjection implements Projection {
  readonly name = PUBLIC_FILINGS_READ_MODEL;
  readonly version = 1;
  readonly tables = ['public_filings'];
  readonly rowsFollowStreams = true;

  handles(event: RecordedEvent): boolean {
    return event.type === 'CaseFiled' && event.revision === 0 && isCaseStream(event.streamId) && isPublicFiling(event);
  }

  async migrate(client: PoolClient): Promise<void> {
    await client.query(`
      CREATE TABLE IF NOT EXISTS public_filings (
        case_id      uuid PRIMARY KEY,
        number       text NOT NULL UNIQUE,
        receipt_hash text NOT NULL UNIQUE,
        position     bigint NOT NULL,
        kind         text NOT NULL,
        filed_at     timestamptz NOT NULL
      );
      CREATE INDEX IF NOT EXISTS public_filings_filed_at ON public_filings (filed_at DESC);`);
  }

  async reset(client: PoolClient): Promise<void> {
    await client.query('TRUNCATE public_filings');
  }

  async apply(client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    for (const event of events) {
      if (!this.handles(event)) continue;
      await client.query(
        `INSERT INTO public_filings (case_id, number, receipt_hash, position, kind, filed_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (case_id) DO NOTHING`,
        [caseIdOf(event.streamId), String(event.data.number), event.hash, event.globalPosition, String(event.data.kind), new Date(String(event.metadata.at))],
      );
    }
  }
}

function isPublicFiling(event: RecordedEvent): boolean {
  const access = event.data.publicAccess as { codeDigest?: unknown } | undefined;
  return typeof access?.codeDigest === 'string';
}
