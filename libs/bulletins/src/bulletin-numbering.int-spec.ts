import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DEFAULT_SLA_POLICY, DEMO_ORG_UNITS, OrgTree, type UserActor } from '#domain';
import { migrateEventStore, PostgresEventStore } from '#event-store';
import { createTestDatabase, eventually, type TestDatabase } from '#testing';
import { caseIn } from '../../domain/src/testing/fixtures.js';
import { BulletinCommands, type BulletinCommandContext, type CaseSource } from './bulletin-commands.js';
import { NumberedDraftsInLog, NumberedDraftsThroughLog } from './pending-publications.js';
import { BulletinReader } from './bulletin-reader.js';
import { registerStreamId } from './bulletin-stream.js';

const org = new OrgTree(DEMO_ORG_UNITS);
const coordinator: UserActor = { userId: 'u-town', roles: ['coordinator'], unitId: 'hd-dg' };
/** One suggestion at 东关社区: the cases a bulletin holds come from the case path, not under test here. */
const theCase = caseIn('filed', 'hd-dg-1');
const CASE_ID = theCase.id;
const cases: CaseSource = { current: async (caseId) => ({ state: caseId === CASE_ID ? theCase : { status: 'none' } }) };

describe('bulletin numbering on PostgreSQL', () => {
  let db: TestDatabase;
  let pools: pg.Pool[];
  /** Two API processes, each with its own pool and store, publishing for the same unit. */
  let processes: BulletinCommands[];
  let store: PostgresEventStore;
  const context = (): BulletinCommandContext => ({ actor: coordinator, at: '2026-11-02T10:00:00+08:00', correlationId: randomUUID() });
  const draft = (commands: BulletinCommands) => commands.draft('hd-dg', { title: '社情民意', caseIds: [CASE_ID], editorNote: null }, context());

  beforeAll(async () => {
    db = await createTestDatabase();
    pools = [new pg.Pool({ connectionString: db.url, max: 10 }), new pg.Pool({ connectionString: db.url, max: 10 })];
    await migrateEventStore(pools[0]!);
    processes = pools.map((pool) => {
      const processStore = new PostgresEventStore({ pool, notify: false });
      return new BulletinCommands(processStore, new BulletinReader(processStore, org), cases, org, DEFAULT_SLA_POLICY);
    });
    store = new PostgresEventStore({ pool: pools[0]!, notify: false });
  });

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await db.drop();
  });

  it('numbers 24 drafts published at once from two processes 1..24, without gaps or repeats', async () => {
    const drafts = await Promise.all(Array.from({ length: 24 }, (_, index) => draft(processes[index % 2]!)));
    const answers = await Promise.all(drafts.map(({ id }, index) => processes[index % 2]!.publish(id, context())));
    expect(answers.map((answer) => answer.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, index) => index + 1));
    const register = await store.readStream(registerStreamId('hd-dg', 2026));
    expect(register.map((event) => event.data.sequence)).toEqual(Array.from({ length: 24 }, (_, index) => index + 1));
    expect(new Set(register.map((event) => event.data.bulletinId)).size).toBe(24);
  });

  it('gives one draft published five times at once from two processes one number, in every answer', async () => {
    const { id } = await draft(processes[0]!);
    const answers = await Promise.all(Array.from({ length: 5 }, (_, index) => processes[index % 2]!.publish(id, context())));
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]).toMatchObject({ sequence: 25, issue: '2026年第25期' });
    const register = await store.readStream(registerStreamId('hd-dg', 2026));
    expect(register.filter((event) => event.data.bulletinId === id)).toHaveLength(1);
    expect((await store.readStream(`bulletin-${id}`)).map((event) => event.type)).toEqual(['BulletinDrafted', 'BulletinPublished']);
  });

  it('completes a publication cut short once, whether the engine at start or the publisher’s retry gets there first', async () => {
    const drafts = await Promise.all(Array.from({ length: 4 }, () => draft(processes[0]!)));
    const register = await store.readStream(registerStreamId('hd-dg', 2026));
    // As if each had its number taken by a process that died before appending BulletinPublished.
    await store.appendToStream(
      registerStreamId('hd-dg', 2026),
      drafts.map(({ id }, index) => ({
        id: randomUUID(),
        type: 'BulletinNumbered',
        schemaVersion: 1,
        data: { bulletinId: id, unitId: 'hd-dg', year: 2026, sequence: register.length + index + 1 },
        metadata: register[0]!.metadata,
      })),
      { expectedRevision: register.at(-1)!.revision },
    );
    const pending = new NumberedDraftsInLog(pools[1]!);
    expect(new Set(await pending.numberedDrafts())).toEqual(new Set(drafts.map(({ id }) => id)));
    // Through the port (as on EventStoreDB), the walk of the log finds the same drafts. It reads
    // only settled events: on a shared server it waits for other suites' open transactions.
    const throughLog = new NumberedDraftsThroughLog(store);
    const found = await eventually(async () => {
      const ids = await throughLog.numberedDrafts();
      return ids.length >= drafts.length ? ids : undefined;
    });
    expect(new Set(found)).toEqual(new Set(drafts.map(({ id }) => id)));
    const [completed, ...retries] = await Promise.all([
      processes[1]!.completePending(pending, '2026-11-02T10:05:00+08:00'),
      ...drafts.map(({ id }, index) => processes[index % 2]!.publish(id, context())),
    ]);
    expect(retries.map((answer) => answer.sequence)).toEqual(drafts.map((_, index) => register.length + index + 1));
    for (const { id } of drafts) {
      expect((await store.readStream(`bulletin-${id}`)).map((event) => event.type)).toEqual(['BulletinDrafted', 'BulletinPublished']);
    }
    expect(drafts.map(({ id }) => id)).toEqual(expect.arrayContaining(completed!));
    expect(await store.readStream(registerStreamId('hd-dg', 2026))).toHaveLength(register.length + drafts.length);
    expect(await pending.numberedDrafts()).toEqual([]);
    await eventually(async () => ((await throughLog.numberedDrafts()).length === 0 ? true : undefined));
    expect(await processes[0]!.completePending(pending, '2026-11-02T10:10:00+08:00')).toEqual([]);
  });
});
