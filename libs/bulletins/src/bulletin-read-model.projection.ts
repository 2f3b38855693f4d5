import type { PoolClient } from 'pg';
import { evolveBulletin, issueLabel, NO_BULLETIN, type Bulletin, type BulletinState } from '#domain';
import type { RecordedEvent } from '#event-store';
import type { Projection } from '#projections';
import { bulletinIdOf, isBulletinStream, toBulletinEvent } from './bulletin-stream.js';

/** The name of the bulletin read model projection (its checkpoint key). */
export const BULLETIN_READ_MODEL = 'bulletins';

/**
 * The bulletin read model, for lists: one `bulletin_view` row per bulletin (the list's fields as
 * columns, the folded bulletin as JSON, its frozen items within it). Derived from the bulletins'
 * streams; the registers are not read (a number shows once its bulletin's BulletinPublished is in
 * the log). Version 2 dropped the `bulletin_items` table, which nothing read.
 */
export class BulletinReadModelProjection implements Projection {
  readonly name = BULLETIN_READ_MODEL;
  readonly version = 2;
  readonly tables = ['bulletin_view'];
  readonly rowsFollowStreams = true;
  readonly runsInLanes = true;

  handles(event: RecordedEvent): boolean {
    return isBulletinStream(event.streamId);
  }

  async migrate(client: PoolClient): Promise<void> {
    await client.query(`
      CREATE TABLE IF NOT EXISTS bulletin_view (
        id             uuid PRIMARY KEY,
        unit_id        text NOT NULL,
        title          text NOT NULL,
        status         text NOT NULL,
        year           integer,
        sequence       integer,
        issue          text,
        item_count     integer NOT NULL,
        case_ids       uuid[] NOT NULL,
        editor_note    text,
        created_by     text NOT NULL,
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL,
        published_by   text,
        published_at   timestamptz,
        revision       integer NOT NULL,
        last_position  bigint NOT NULL,
        state          json NOT NULL
      );
      CREATE INDEX IF NOT EXISTS bulletin_view_unit ON bulletin_view (unit_id, status, year);
      CREATE INDEX IF NOT EXISTS bulletin_view_case_ids ON bulletin_view USING gin (case_ids);
      DROP TABLE IF EXISTS bulletin_items;`);
  }

  async reset(client: PoolClient): Promise<void> {
    await client.query('TRUNCATE bulletin_view');
  }

  async apply(client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    const byBulletin = new Map<string, RecordedEvent[]>();
    for (const event of events) {
      if (!isBulletinStream(event.streamId)) continue;
      const id = bulletinIdOf(event.streamId);
      byBulletin.set(id, [...(byBulletin.get(id) ?? []), event]);
    }
    if (byBulletin.size === 0) return;
    const { rows } = await client.query<{ id: string; state: Bulletin; revision: number }>('SELECT id, state, revision FROM bulletin_view WHERE id = ANY($1::uuid[])', [[...byBulletin.keys()]]);
    const stored = new Map(rows.map((row) => [row.id, row]));
    const views: object[] = [];
    for (const [id, bulletinEvents] of byBulletin) {
      const row = stored.get(id);
      // Events the row holds already are skipped, so a batch applied again changes nothing.
      const fresh = bulletinEvents.filter((event) => event.revision > (row?.revision ?? -1));
      if (fresh.length === 0) continue;
      const state = fresh.reduce<BulletinState>((folded, recorded) => {
        const { event, meta } = toBulletinEvent(recorded);
        return evolveBulletin(folded, event, meta);
      }, row?.state ?? NO_BULLETIN);
      if (state.status === 'none') continue;
      const { publication } = state;
      views.push({
        id,
        unit_id: state.unitId,
        title: state.title,
        status: state.status,
        year: publication?.year ?? null,
        sequence: publication?.sequence ?? null,
        issue: publication ? issueLabel(publication) : null,
        item_count: state.caseIds.length,
        case_ids: state.caseIds,
        editor_note: state.editorNote,
        created_by: state.createdBy,
        created_at: state.createdAt,
        updated_at: state.updatedAt,
        published_by: publication?.by ?? null,
        published_at: publication?.at ?? null,
        revision: fresh.at(-1)!.revision,
        last_position: fresh.at(-1)!.globalPosition,
        state,
      });
    }
    if (views.length > 0) {
      await client.query(
        `INSERT INTO bulletin_view (id, unit_id, title, status, year, sequence, issue, item_count, case_ids, editor_note, created_by, created_at, updated_at,
                                   published_by, published_at, revision, last_position, state)
         SELECT id, unit_id, title, status, year, sequence, issue, item_count, case_ids, editor_note, created_by, created_at, updated_at,
                published_by, published_at, revision, last_position, state
           FROM json_to_recordset($1::json) AS r(id uuid, unit_id text, title text, status text, year integer, sequence integer, issue text,
                item_count integer, case_ids uuid[], editor_note text, created_by text, created_at timestamptz, updated_at timestamptz,
                published_by text, published_at timestamptz, revision integer, last_position bigint, state json)
         ON CONFLICT (id) DO UPDATE SET
           title = EXCLUDED.title, status = EXCLUDED.status, year = EXCLUDED.year, sequence = EXCLUDED.sequence, issue = EXCLUDED.issue,
           item_count = EXCLUDED.item_count, case_ids = EXCLUDED.case_ids, editor_note = EXCLUDED.editor_note, updated_at = EXCLUDED.updated_at,
           published_by = EXCLUDED.published_by, published_at = EXCLUDED.published_at, revision = EXCLUDED.revision,
           last_position = EXCLUDED.last_position, state = EXCLUDED.state
         WHERE bulletin_view.revision < EXCLUDED.revision`,
        [JSON.stringify(views)],
      );
    }
  }
}
