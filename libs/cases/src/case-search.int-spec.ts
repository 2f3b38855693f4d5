import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { DEFAULT_SLA_POLICY } from '#domain';
import { searchDocument } from '#search';
import { createTestDatabase, type TestDatabase } from '#testing';
import { CaseQueries, SEARCH_COUNT_LIMIT, type CaseListFilter } from './case-queries.js';
import { CaseReadModelProjection } from './case-read-model.projection.js';

/**
 * The word search's order and count on read model rows written straight into the tables (what
 * the projection writes is its own test's business): thousands of matches are made with one
 * INSERT each instead of thousands of commands.
 */
describe('the case list’s word search', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let queries: CaseQueries;
  let serial = 0;
  const base = Date.parse('2026-01-01T00:00:00Z');

  /** Cases with this title and description, the n-th filed n minutes after the last, in unit hd-dg-1 unless said otherwise. */
  async function insert(count: number, title: string, description: string, unitId = 'hd-dg-1'): Promise<string[]> {
    const { words, characters } = searchDocument(title, description);
    const first = serial;
    serial += count;
    const { rows } = await pool.query<{ id: string }>(
      `WITH made AS (
         SELECT gen_random_uuid() AS id, $1::timestamptz + make_interval(mins => ($6 + n)::int) AS at, n
           FROM generate_series(1, $2::int) AS n),
       viewed AS (
         INSERT INTO case_view (id, number, kind, status, unit_id, filed_unit_id, urgency, channel, title, description, supervised,
                                units_visited, revision, last_position, created_at, updated_at, state, clocks, search_characters)
         SELECT id, 'MY-' || ($6 + n), 'dispute', 'filed', $5, $5, 'normal', 'walk_in', $3, $4, false,
                ARRAY[$5]::text[], 0, $6 + n, at, at, json_build_object('id', id, 'title', $3::text), '{}'::json, $8::tsvector
           FROM made)
       INSERT INTO case_search (id, kind, status, unit_id, units_visited, revision, created_at, search)
       SELECT id, 'dispute', 'filed', $5, ARRAY[$5]::text[], 0, at, $7::tsvector FROM made
       RETURNING id`,
      [new Date(base).toISOString(), count, title, description, unitId, first, words, characters],
    );
    return rows.map((row) => row.id);
  }

  const filter = (q: string, page = 1, pageSize = 20): CaseListFilter => ({ readableUnitIds: ['hd-dg-1'], q, page, pageSize });
  const listed = async (q: string, page = 1, pageSize = 20) => (await queries.list(filter(q, page, pageSize))).items.map((item) => item.state.id);
  /** Newest first: the order among equal matches. */
  const newestFirst = (ids: readonly string[]) => [...ids].reverse();

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    const client = await pool.connect();
    try {
      await new CaseReadModelProjection(DEFAULT_SLA_POLICY).migrate(client);
    } finally {
      client.release();
    }
    queries = new CaseQueries(pool);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('ranks a word in title and description above one in the title, and that above one in the description only, newest first among equals, page after page', async () => {
    const both = await insert(3, '楼上漏水', '卫生间漏水');
    const inTitle = await insert(3, '外墙漏水', '雨季渗水');
    const inDescription = await insert(3, '天花板发霉', '楼上漏水导致发霉');
    await insert(2, '建议增设路灯', '背街小巷照明不足');
    const order = [...newestFirst(both), ...newestFirst(inTitle), ...newestFirst(inDescription)];
    expect(await listed('漏水', 1, 20)).toEqual(order);
    // Pages of 4 neither lose nor repeat a case.
    const pages = [...(await listed('漏水', 1, 4)), ...(await listed('漏水', 2, 4)), ...(await listed('漏水', 3, 4))];
    expect(pages).toEqual(order);
    expect(await listed('漏水', 4, 4)).toEqual([]);
    const list = await queries.list(filter('漏水', 9, 4));
    expect(list).toMatchObject({ items: [], total: 9, totalExact: true });
    // An export reads the same cases in the same order.
    expect(await queries.matchingIds(filter('漏水'), 100)).toEqual(order);
    expect(await queries.matchingIds(filter('漏水'), 5)).toEqual(order.slice(0, 5));
    // Every word of q must match: 楼上 & 漏水 leaves out the walls.
    expect(await listed('楼上 漏水')).toEqual([...newestFirst(both), ...newestFirst(inDescription)]);
  });

  it(`counts a word's matches up to ${SEARCH_COUNT_LIMIT.toLocaleString('en-US')}, and says when there are more`, async () => {
    await insert(SEARCH_COUNT_LIMIT, '广场舞噪音扰民', '音响声音过大');
    expect(await queries.list(filter('广场舞'))).toMatchObject({ total: SEARCH_COUNT_LIMIT, totalExact: true });
    const newest = await insert(1, '广场舞噪音扰民', '音响声音过大');
    const list = await queries.list(filter('广场舞'));
    expect(list).toMatchObject({ total: SEARCH_COUNT_LIMIT, totalExact: false });
    expect(list.items[0]?.state.id).toBe(newest[0]);
    // Out of the reader's scope, the same word counts nothing.
    await insert(1, '广场舞噪音扰民', '音响声音过大', 'hx-xh-1');
    expect(await queries.list({ ...filter('广场舞'), readableUnitIds: ['hx-xh-1'] })).toMatchObject({ total: 1, totalExact: true });
  });
});
