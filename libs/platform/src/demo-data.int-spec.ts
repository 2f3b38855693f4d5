import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_ACCOUNTS_IN_USE, UserStore } from '#accounts';
import { ORG_TREE, type OrgTree } from '#domain';
import { createTestDatabase, type TestDatabase } from '#testing';
import { ConfigError, loadConfig } from './config.js';
import { startEngine } from './engine.js';
import { createLogger } from './logger.js';

/** When the engine creates the demo org tree's accounts, and what it says when it cannot. */
describe('demo data', () => {
  let db: TestDatabase;
  let dir: string;
  let orgFile: string;

  beforeAll(async () => {
    db = await createTestDatabase('minyi_demo_data');
    dir = await mkdtemp(join(tmpdir(), 'minyi-demo-data-'));
    orgFile = join(dir, 'org.json');
    // A city's own tree: none of the demo units.
    await writeFile(
      orgFile,
      JSON.stringify([
        { id: 'xa', name: '西安市', level: 'city', parentId: null },
        { id: 'xa-bl', name: '碑林区', level: 'county', parentId: 'xa' },
      ]),
    );
  });

  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is on when embedded unless MINYI_DEMO=0, and on a configured server only with MINYI_DEMO=1', () => {
    expect(loadConfig({}).demo).toBe(true);
    expect(loadConfig({ MINYI_DEMO: '0' }).demo).toBe(false);
    expect(loadConfig({ DATABASE_URL: db.url }).demo).toBe(false);
    expect(loadConfig({ DATABASE_URL: db.url, MINYI_DEMO: '1' }).demo).toBe(true);
  });

  const settings = (extra: Record<string, string>) => loadConfig({ DATABASE_URL: db.url, JOBS_DATABASE_URL: db.url, MINYI_DATA_DIR: dir, MINYI_ORG_FILE: orgFile, LOG_LEVEL: 'silent', ...extra });

  it('refuses to start with demo data on an org tree without the demo units, saying what to do', async () => {
    const failure = await startEngine(settings({ MINYI_DEMO: '1' }), createLogger('silent'), { workers: false }).then(
      async (engine) => {
        await engine.close();
        return null;
      },
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toMatch(/MINYI_DEMO: the demo accounts work at units this org tree lacks \(sf, hd, hd-dg, hd-dg-1, hx-xh-1\).*MINYI_DEMO=0.*add-user/);
  });

  it('starts on its own org tree with demo data off, creating no accounts', async () => {
    const engine = await startEngine(settings({ MINYI_DEMO: '0' }), createLogger('silent'), { workers: false });
    try {
      expect(engine.get(DEMO_ACCOUNTS_IN_USE)).toEqual([]);
      expect(engine.get<OrgTree>(ORG_TREE).has('xa-bl')).toBe(true);
      expect(await engine.get(UserStore).list()).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
