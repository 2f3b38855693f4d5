import type { PoolClient } from 'pg';
import { initialState, isOpen, isOpenRun, type CaseClocks, type CaseNote, type CaseState, type ExistingCase, type SlaPolicy } from '#domain';
import type { RecordedEvent } from '#event-store';
import type { Projection } from '#projections';
import { OPEN_CASES, searchDocument } from '#search';
import { foldCase, type FoldedCase } from './case-fold-cache.js';
import { freshCaseEvents } from './case-stream.js';

/** The name of the case read model projection (its checkpoint key). */
export const CASE_READ_MODEL = 'cases';

/**
 * The case read model: one `case_view` row per case (the list fields as columns for filtering,
 * the folded state and its SLA clocks as JSON, the earliest due time of its running clocks for
 * the overdue filter, and who filed it for "my cases"), one `inbox_items` row per open case,
 * saying which unit (or assignee) it waits on and since when, and one `case_notes` row per note.
 * Notes are the one part of a case that grows without bound, so the row's state keeps none:
 * adding a note inserts one small row instead of rewriting every note before it. Searching by
 * words reads `case_search`, a narrow copy of the row's list filters beside the jieba words of
 * title and description (see searchDocument): a common word matches thousands of cases, and
 * ranking and counting them reads a table of small rows instead of the wide `case_view`, whose
 * page of 20 is then read by id. The Han characters of the substring fallback stay on `case_view`,
 * where that rare path reads title and description. A case's title and description are fixed
 * when it is filed, so they are segmented once, from the batch that files it, and kept as they
 * are by later events. All four
 * tables are written from one fold, in the runner's transaction, so they always agree with each
 * other and the checkpoint.
 */
export class CaseReadModelProjection implements Projection {
  readonly name = CASE_READ_MODEL;
  /** 2: notes in `case_notes` (no longer in the state), `filed_by`, and json state and clocks; 3: `case_search` and the characters of title and description. */
  readonly version = 3;
  readonly tables = ['case_view', 'inbox_items', 'case_notes', 'case_search'];
  readonly rowsFollowStreams = true;
  /** Its rows follow streams, and no reader takes its checkpoint for one point of the log. */
  readonly runsInLanes = true;

  constructor(private readonly policy: SlaPolicy) {}

  async migrate(client: PoolClient): Promise<void> {
    await client.query(`
      CREATE TABLE IF NOT EXISTS case_view (
        id             uuid PRIMARY KEY,
        number         text NOT NULL UNIQUE,
        kind           text NOT NULL,
        status         text NOT NULL,
        unit_id        text NOT NULL,
        filed_unit_id  text NOT NULL,
        assignee_id    text,
        urgency        text NOT NULL,
        channel        text NOT NULL,
        title          text NOT NULL,
        description    text NOT NULL,
        supervised     boolean NOT NULL,
        units_visited  text[] NOT NULL,
        revision       integer NOT NULL,
        last_position  bigint NOT NULL,
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL,
        state          json NOT NULL,
        clocks         json NOT NULL,
        next_due_at    timestamptz,
        filed_by       text,
        note_count     integer NOT NULL DEFAULT 0,
        search_characters tsvector NOT NULL DEFAULT ''
      );
      CREATE INDEX IF NOT EXISTS case_view_filed_by ON case_view (filed_by, created_at DESC);
      CREATE INDEX IF NOT EXISTS case_view_next_due ON case_view (next_due_at) WHERE next_due_at IS NOT NULL;
      CREATE INDEX IF NOT EXISTS case_view_units_visited ON case_view USING gin (units_visited);
      CREATE INDEX IF NOT EXISTS case_view_unit_status ON case_view (unit_id, status);
      CREATE INDEX IF NOT EXISTS case_view_created ON case_view (created_at DESC, id);
      CREATE INDEX IF NOT EXISTS case_view_search_characters ON case_view USING gin (search_characters);
      CREATE TABLE IF NOT EXISTS inbox_items (
        case_id        uuid PRIMARY KEY,
        unit_id        text NOT NULL,
        assignee_id    text,
        status         text NOT NULL,
        waiting_since  timestamptz NOT NULL
      );
      CREATE INDEX IF NOT EXISTS inbox_items_unit ON inbox_items (unit_id, waiting_since);
      CREATE INDEX IF NOT EXISTS inbox_items_assignee ON inbox_items (assignee_id, waiting_since);
      CREATE TABLE IF NOT EXISTS case_notes (
        case_id        uuid NOT NULL,
        seq            integer NOT NULL,
        note           json NOT NULL,
        PRIMARY KEY (case_id, seq)
      );
      -- No index but the words': a word search filters the rest on these small rows.
      CREATE TABLE IF NOT EXISTS case_search (
        id             uuid PRIMARY KEY,
        kind           text NOT NULL,
        status         text NOT NULL,
        unit_id        text NOT NULL,
        units_visited  text[] NOT NULL,
        revision       integer NOT NULL,
        created_at     timestamptz NOT NULL,
        next_due_at    timestamptz,
        filed_by       text,
        search         tsvector NOT NULL
      );
      CREATE INDEX IF NOT EXISTS case_search_words ON case_search USING gin (search);
      -- Similar cases are looked for among open ones only.
      CREATE INDEX IF NOT EXISTS case_search_open_words ON case_search USING gin (search) WHERE ${OPEN_CASES};`);
  }

  async reset(client: PoolClient): Promise<void> {
    await client.query('TRUNCATE case_view, inbox_items, case_notes, case_search');
  }

  async apply(client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    const cases = await freshCaseEvents(events, async (caseIds) => {
      const { rows } = await client.query<{ case_id: string; state: ExistingCase; clocks: CaseClocks; revision: number; note_count: number; waiting_since: Date | null }>(
        `SELECT v.id AS case_id, v.state, v.clocks, v.revision, v.note_count, i.waiting_since
           FROM case_view v LEFT JOIN inbox_items i ON i.case_id = v.id
          WHERE v.id = ANY($1::uuid[])`,
        [caseIds],
      );
      return rows;
    });

    const views: CaseViewRow[] = [];
    const notes: NoteRow[] = [];
    const inbox: InboxRow[] = [];
    const closed: string[] = [];
    for (const { stored: before, fresh } of cases) {
      let folded: FoldedCase | undefined = before && { state: before.state, clocks: before.clocks, revision: before.revision };
      let waitingSince = before?.waiting_since?.toISOString() ?? null;
      let noteCount = before?.note_count ?? 0;
      const filing = fresh.find((event) => event.revision === 0);
      const filedBy = filing?.metadata.actorId ?? null;
      for (const recorded of fresh) {
        const next = foldCase([recorded], this.policy, folded);
        if (changesWhoIsWaited(folded?.state ?? initialState, next.state)) waitingSince = recorded.metadata.at;
        folded = next;
        // The row's state keeps no notes (they are rows of their own), so the event's note is
        // taken out at once: no later step of the batch copies the notes before it.
        if (next.state.status !== 'none' && next.state.notes.length > 0) {
          for (const note of next.state.notes) notes.push({ case_id: next.state.id, seq: noteCount++, note });
          folded = { ...next, state: { ...next.state, notes: [] } };
        }
      }
      const { state, clocks, revision } = folded!;
      const lastPosition = fresh.at(-1)!.globalPosition;
      if (state.status === 'none') continue;
      views.push(viewRow(state, clocks, revision!, lastPosition, filedBy, noteCount, filing !== undefined));
      if (isOpen(state.status)) inbox.push({ case_id: state.id, unit_id: state.unitId, assignee_id: state.assigneeId, status: state.status, waiting_since: waitingSince ?? state.updatedAt });
      else closed.push(state.id);
    }

    if (views.length > 0) {
      const rows = JSON.stringify(views);
      await client.query(
        `INSERT INTO case_view (id, number, kind, status, unit_id, filed_unit_id, assignee_id, urgency, channel, title, description,
                                supervised, units_visited, revision, last_position, created_at, updated_at, state, clocks, next_due_at, filed_by, note_count,
                                search_characters)
         SELECT id, number, kind, status, unit_id, filed_unit_id, assignee_id, urgency, channel, title, description,
                supervised, units_visited, revision, last_position, created_at, updated_at, state, clocks, next_due_at, filed_by, note_count,
                COALESCE(search_characters, '')
           FROM json_to_recordset($1::json) AS r(id uuid, number text, kind text, status text, unit_id text, filed_unit_id text,
                assignee_id text, urgency text, channel text, title text, description text, supervised boolean, units_visited text[],
                revision integer, last_position bigint, created_at timestamptz, updated_at timestamptz, state json, clocks json,
                next_due_at timestamptz, filed_by text, note_count integer, search_characters tsvector)
         ON CONFLICT (id) DO UPDATE SET
           status = EXCLUDED.status, unit_id = EXCLUDED.unit_id, assignee_id = EXCLUDED.assignee_id, urgency = EXCLUDED.urgency,
           title = EXCLUDED.title, description = EXCLUDED.description, supervised = EXCLUDED.supervised,
           units_visited = EXCLUDED.units_visited, revision = EXCLUDED.revision, last_position = EXCLUDED.last_position,
           updated_at = EXCLUDED.updated_at, state = EXCLUDED.state, clocks = EXCLUDED.clocks, next_due_at = EXCLUDED.next_due_at,
           filed_by = COALESCE(case_view.filed_by, EXCLUDED.filed_by), note_count = EXCLUDED.note_count
         WHERE case_view.revision < EXCLUDED.revision`,
        [rows],
      );
      await client.query(
        `INSERT INTO case_search (id, kind, status, unit_id, units_visited, revision, created_at, next_due_at, filed_by, search)
         SELECT id, kind, status, unit_id, units_visited, revision, created_at, next_due_at, filed_by, COALESCE(search, '')
           FROM json_to_recordset($1::json) AS r(id uuid, kind text, status text, unit_id text, units_visited text[], revision integer,
                created_at timestamptz, next_due_at timestamptz, filed_by text, search tsvector)
         ON CONFLICT (id) DO UPDATE SET
           status = EXCLUDED.status, unit_id = EXCLUDED.unit_id, units_visited = EXCLUDED.units_visited, revision = EXCLUDED.revision,
           next_due_at = EXCLUDED.next_due_at, filed_by = COALESCE(case_search.filed_by, EXCLUDED.filed_by)
         WHERE case_search.revision < EXCLUDED.revision`,
        [rows],
      );
    }
    if (notes.length > 0) {
      await client.query(
        `INSERT INTO case_notes (case_id, seq, note)
         SELECT case_id, seq, note FROM json_to_recordset($1::json) AS r(case_id uuid, seq integer, note json)
         ON CONFLICT (case_id, seq) DO NOTHING`,
        [JSON.stringify(notes)],
      );
    }
    if (inbox.length > 0) {
      await client.query(
        `INSERT INTO inbox_items (case_id, unit_id, assignee_id, status, waiting_since)
         SELECT case_id, unit_id, assignee_id, status, waiting_since
           FROM jsonb_to_recordset($1::jsonb) AS r(case_id uuid, unit_id text, assignee_id text, status text, waiting_since timestamptz)
         ON CONFLICT (case_id) DO UPDATE SET
           unit_id = EXCLUDED.unit_id, assignee_id = EXCLUDED.assignee_id, status = EXCLUDED.status, waiting_since = EXCLUDED.waiting_since`,
        [JSON.stringify(inbox)],
      );
    }
    if (closed.length > 0) await client.query('DELETE FROM inbox_items WHERE case_id = ANY($1::uuid[])', [closed]);
  }
}

interface CaseViewRow {
  id: string;
  number: string;
  kind: string;
  status: string;
  unit_id: string;
  filed_unit_id: string;
  assignee_id: string | null;
  urgency: string;
  channel: string;
  title: string;
  description: string;
  supervised: boolean;
  units_visited: readonly string[];
  revision: number;
  last_position: number;
  created_at: string;
  updated_at: string;
  state: ExistingCase;
  clocks: CaseClocks;
  next_due_at: string | null;
  /** The user who filed the case: known from its first event, so null in a batch without it. */
  filed_by: string | null;
  note_count: number;
  /** tsvector literals (see searchDocument), from the batch that files the case; null in later ones. */
  search: string | null;
  search_characters: string | null;
}

interface NoteRow {
  case_id: string;
  /** The note's place among the case's notes, from 0. */
  seq: number;
  note: CaseNote;
}

interface InboxRow {
  case_id: string;
  unit_id: string;
  assignee_id: string | null;
  status: string;
  waiting_since: string;
}

function viewRow(state: ExistingCase, clocks: CaseClocks, revision: number, lastPosition: number, filedBy: string | null, noteCount: number, filed: boolean): CaseViewRow {
  const openDue = clocks.clocks.filter(isOpenRun).map((run) => Date.parse(run.dueAt));
  const search = filed ? searchDocument(state.title, state.description) : null;
  return {
    id: state.id,
    number: state.number,
    kind: state.kind,
    status: state.status,
    unit_id: state.unitId,
    filed_unit_id: state.filedUnitId,
    assignee_id: state.assigneeId,
    urgency: state.urgency,
    channel: state.channel,
    title: state.title,
    description: state.description,
    supervised: state.supervised,
    units_visited: state.unitsVisited,
    revision,
    last_position: lastPosition,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    state,
    clocks,
    next_due_at: openDue.length > 0 ? new Date(Math.min(...openDue)).toISOString() : null,
    filed_by: filedBy,
    note_count: noteCount,
    search: search?.words ?? null,
    search_characters: search?.characters ?? null,
  };
}

/** A case starts waiting anew when it changes status, unit or assignee. */
function changesWhoIsWaited(before: CaseState, after: CaseState): boolean {
  if (before.status === 'none' || after.status === 'none') return true;
  return before.status !== after.status || before.unitId !== after.unitId || before.assigneeId !== after.assigneeId;
}
