import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { ensureJsonColumns } from './schema.js';

describe('ensureJsonColumns', () => {
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const types = async () =>
    (await pool.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'folded' ORDER BY column_name")).rows;

  it('turns jsonb columns of a table made before into json, keeping their values, and then leaves them be', async () => {
    await pool.query("CREATE TABLE folded (id int PRIMARY KEY, state jsonb NOT NULL, clocks jsonb NOT NULL, extra jsonb)");
    await pool.query(`INSERT INTO folded VALUES (1, '{"status": "filed", "title": "停车位 🚗"}', '{"runs": []}', '{"kept": true}')`);
    const client = await pool.connect();
    try {
      await ensureJsonColumns(client, 'folded', ['state', 'clocks']);
      expect(await types()).toEqual([
        { column_name: 'clocks', data_type: 'json' },
        { column_name: 'extra', data_type: 'jsonb' },
        { column_name: 'id', data_type: 'integer' },
        { column_name: 'state', data_type: 'json' },
      ]);
      const { rows } = await client.query('SELECT state, clocks FROM folded');
      expect(rows).toEqual([{ state: { status: 'filed', title: '停车位 🚗' }, clocks: { runs: [] } }]);
      await ensureJsonColumns(client, 'folded', ['state', 'clocks']); // already json: nothing to do
      expect((await types()).find((column) => column.column_name === 'state')).toEqual({ column_name: 'state', data_type: 'json' });
    } finally {
      client.release();
    }
  });
});
