import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { runMigrations, type Migration } from './migrations.js';

describe('runMigrations', () => {
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase('minyi_migrations');
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  let library = '';
  let libraries = 0;
  beforeEach(() => {
    library = `library-${++libraries}`;
  });

  /** Steps that each add their version to `<library> ran`, so the order and count of runs shows. */
  const steps = (count: number, up: (version: number) => string = () => ''): Migration[] =>
    Array.from({ length: count }, (_, index) => ({
      version: index + 1,
      name: `step ${index + 1}`,
      up: `${index === 0 ? `CREATE TABLE "${library} ran" (id serial PRIMARY KEY, version int NOT NULL);` : ''}
           ${up(index + 1)}
           INSERT INTO "${library} ran" (version) VALUES (${index + 1});`,
    }));
  const ran = async () => (await pool.query<{ version: number }>(`SELECT version FROM "${library} ran" ORDER BY id`)).rows.map((row) => row.version);
  const recorded = async () =>
    (await pool.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations WHERE library = $1 ORDER BY version', [library])).rows;

  it('applies the steps once, in order, each recorded; a second run does nothing', async () => {
    expect(await runMigrations(pool, library, steps(3))).toEqual({ applied: [1, 2, 3] });
    expect(await ran()).toEqual([1, 2, 3]);
    expect(await recorded()).toEqual([
      { version: 1, name: 'step 1' },
      { version: 2, name: 'step 2' },
      { version: 3, name: 'step 3' },
    ]);

    expect(await runMigrations(pool, library, steps(3))).toEqual({ applied: [] });
    expect(await ran()).toEqual([1, 2, 3]);
  });

  it('applies only the steps added since the last run', async () => {
    await runMigrations(pool, library, steps(2));
    expect(await runMigrations(pool, library, steps(4))).toEqual({ applied: [3, 4] });
    expect(await ran()).toEqual([1, 2, 3, 4]);
  });

  it('keeps libraries apart: the same versions of another library still run', async () => {
    const first = library;
    await runMigrations(pool, first, steps(2));
    library = `${first}-other`;
    expect(await runMigrations(pool, library, steps(2))).toEqual({ applied: [1, 2] });
  });

  it('applies each step once when several processes run at once: the others wait, then find nothing to do', async () => {
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: db.url, max: 2 }));
    try {
      // Slow steps, so the runs overlap.
      const slowSteps = steps(2, () => 'SELECT pg_sleep(0.2);');
      const results = await Promise.all(pools.map((each) => runMigrations(each, library, slowSteps)));
      expect(results.flatMap((result) => result.applied)).toEqual([1, 2]);
      expect(results.filter((result) => result.applied.length > 0)).toHaveLength(1);
      expect(await ran()).toEqual([1, 2]);
      expect(await recorded()).toHaveLength(2);
    } finally {
      for (const each of pools) await each.end();
    }
  });

  it('rolls a failing step back with its record and stops there; a later run picks up from it', async () => {
    await runMigrations(pool, library, steps(1));
    const failing: Migration[] = [
      ...steps(1),
      { version: 2, name: 'fails half-way', up: `CREATE TABLE "${library} half"(id int); SELECT 1 / 0;` },
      { version: 3, name: 'never reached', up: `CREATE TABLE "${library} never"(id int)` },
    ];
    await expect(runMigrations(pool, library, failing)).rejects.toThrow(/division by zero/);
    expect(await recorded()).toEqual([{ version: 1, name: 'step 1' }]);
    const { rows } = await pool.query<{ name: string | null }>('SELECT to_regclass($1)::text AS name UNION ALL SELECT to_regclass($2)::text', [
      `"${library} half"`,
      `"${library} never"`,
    ]);
    expect(rows).toEqual([{ name: null }, { name: null }]);

    expect(await runMigrations(pool, library, steps(3))).toEqual({ applied: [2, 3] });
    expect(await ran()).toEqual([1, 2, 3]);
  });

  it('runs a step given as a function in the transaction that records it', async () => {
    const failing: Migration[] = [
      {
        version: 1,
        name: 'function',
        up: async (client) => {
          await client.query(`CREATE TABLE "${library} made"(id int)`);
          throw new Error('step failed');
        },
      },
    ];
    await expect(runMigrations(pool, library, failing)).rejects.toThrow('step failed');
    expect(await recorded()).toEqual([]);
    expect((await pool.query('SELECT to_regclass($1) AS name', [`"${library} made"`])).rows).toEqual([{ name: null }]);
  });

  it('refuses steps out of order before running any', async () => {
    const unordered = [...steps(2)].reverse();
    await expect(runMigrations(pool, library, unordered)).rejects.toThrow(`migrations of "${library}" must have increasing positive whole versions: 1 follows 2`);
    expect(await recorded()).toEqual([]);
  });

  it('gives every connection back to the pool, the lock released', async () => {
    await runMigrations(pool, library, steps(1));
    expect(pool.totalCount).toBe(pool.idleCount);
    // Only this database's locks: other tests on the same server hold theirs meanwhile.
    const { rows } = await pool.query(
      "SELECT count(*)::int AS held FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    expect(rows).toEqual([{ held: 0 }]);
  });
});
