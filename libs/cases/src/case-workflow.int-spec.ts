import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { clockDuration, DEFAULT_SLA_POLICY, DEMO_ORG_UNITS, OrgTree, parseSlaPolicy, type Actor, type CaseCommand, type SlaPolicy } from '#domain';
import { migrateEventStore, PostgresEventStore, WrongExpectedRevisionError } from '#event-store';
import { ProjectionRunner } from '#projections';
import { createTestDatabase, type TestDatabase } from '#testing';
import { CaseNumbers } from './case-numbers.js';
import { CaseFoldCache } from './case-fold-cache.js';
import { CaseQueries } from './case-queries.js';
import { CaseReadModelProjection } from './case-read-model.projection.js';
import { ExecuteCaseCommand, ExecuteCaseCommandHandler, type CaseCommandResult } from './execute-case-command.js';

const org = new OrgTree(DEMO_ORG_UNITS);
const clerk: Actor = { userId: 'u-clerk', roles: ['clerk'], unitId: 'hd-dg-1' };
const communityCoordinator: Actor = { userId: 'u-c1', roles: ['coordinator'], unitId: 'hd-dg-1' };
const townCoordinator: Actor = { userId: 'u-c2', roles: ['coordinator'], unitId: 'hd-dg' };
const otherCommunity: Actor = { userId: 'u-c3', roles: ['coordinator'], unitId: 'hx-xh-1' };

describe('the case command path and read model', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let runner: ProjectionRunner;
  let handler: ExecuteCaseCommandHandler;
  let queries: CaseQueries;
  let clock = Date.parse('2026-11-02T09:00:00+08:00');
  const at = () => new Date((clock += 60_000)).toISOString();

  const run = (command: CaseCommand, expectedRevision?: number): Promise<CaseCommandResult> =>
    handler.execute(new ExecuteCaseCommand(command, expectedRevision, randomUUID()));

  const file = (title: string, actor: Actor = clerk, unitId = 'hd-dg-1') =>
    run({
      type: 'FileCase',
      caseId: randomUUID(),
      actor,
      at: at(),
      number: '',
      kind: 'dispute',
      title,
      description: `${title}：邻里因停车位发生争执，请求调解。`,
      channel: 'walk_in',
      unitId,
      filer: { name: '张三', phone: '13812345678', anonymous: false },
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 10 });
    await migrateEventStore(pool);
    store = new PostgresEventStore({ pool, pollIntervalMs: 100 });
    runner = new ProjectionRunner(pool, store, [new CaseReadModelProjection(DEFAULT_SLA_POLICY)], { standbyRetryMs: 100 });
    await runner.start();
    handler = new ExecuteCaseCommandHandler(store, org, new CaseNumbers(pool), new CaseFoldCache(store, DEFAULT_SLA_POLICY), DEFAULT_SLA_POLICY);
    queries = new CaseQueries(pool);
  });

  afterAll(async () => {
    await runner?.stop();
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  it('files a case with a readable number and shows it in the list and the inbox once projected', async () => {
    const filed = await file('停车位纠纷');
    expect(filed).toMatchObject({ status: 'filed', revision: 0 });
    expect(filed.number).toMatch(/^MY-2026-\d{6}$/);
    expect(await runner.waitFor(filed.position, 10_000)).toBe(true);

    const list = await queries.list({ readableUnitIds: org.subtreeIds('hd-dg'), page: 1, pageSize: 20, q: '停车' });
    expect(list.items.map((item) => item.state.id)).toContain(filed.id);
    const outside = await queries.list({ readableUnitIds: org.subtreeIds('hx'), page: 1, pageSize: 20 });
    expect(outside.items.map((item) => item.state.id)).not.toContain(filed.id);

    const inbox = await queries.inbox({ userId: communityCoordinator.userId, unitIds: ['hd-dg-1'], annotationUnitIds: [], now: new Date() });
    expect(inbox.map((item) => item.state.id)).toContain(filed.id);
  });

  it('carries a case up the tree and moves its inbox entry to the unit it arrived at', async () => {
    const filed = await file('噪音扰民');
    await run({ type: 'AcceptCase', caseId: filed.id, actor: communityCoordinator, at: at() }, 0);
    const escalated = await run({ type: 'EscalateCase', caseId: filed.id, actor: communityCoordinator, at: at(), reason: '社区无法协调' }, 1);
    expect(escalated).toMatchObject({ status: 'filed', revision: 2 });
    await runner.waitFor(escalated.position, 10_000);

    const town = await queries.inbox({ userId: townCoordinator.userId, unitIds: ['hd-dg'], annotationUnitIds: [], now: new Date() });
    expect(town.map((item) => item.state.id)).toContain(filed.id);
    const community = await queries.inbox({ userId: communityCoordinator.userId, unitIds: ['hd-dg-1'], annotationUnitIds: [], now: new Date() });
    expect(community.map((item) => item.state.id)).not.toContain(filed.id);
    const [row] = (await queries.list({ readableUnitIds: ['hd-dg-1'], page: 1, pageSize: 50, q: '噪音' })).items;
    expect(row?.state).toMatchObject({ unitId: 'hd-dg', status: 'filed', unitsVisited: ['hd-dg-1', 'hd-dg'] });
  });

  it('lets exactly one of many concurrent writers on one revision through; the rest conflict', async () => {
    const filed = await file('并发写入');
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        run({ type: 'AddNote', caseId: filed.id, actor: communityCoordinator, at: at(), noteType: 'note', text: `第${i}条` }, 0),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const losers = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(losers).toHaveLength(7);
    for (const loser of losers) {
      expect(loser.reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect((loser.reason as WrongExpectedRevisionError).actual).toBe(1);
    }
    expect(await store.readStream(`case-${filed.id}`)).toHaveLength(2);
  });

  it('sees what another process appended: a cached fold is only extended by the newer events', async () => {
    const filed = await file('两个进程');
    const elsewhere = new ExecuteCaseCommandHandler(store, org, new CaseNumbers(pool), new CaseFoldCache(store, DEFAULT_SLA_POLICY), DEFAULT_SLA_POLICY);
    await elsewhere.execute(new ExecuteCaseCommand({ type: 'AcceptCase', caseId: filed.id, actor: communityCoordinator, at: at() }, 0, randomUUID()));
    // This process last saw revision 0 (status filed); the case is now in coordination.
    await expect(run({ type: 'AcceptCase', caseId: filed.id, actor: communityCoordinator, at: at() })).rejects.toMatchObject({ code: 'illegal_transition' });
    const noted = await run({ type: 'AddNote', caseId: filed.id, actor: communityCoordinator, at: at(), noteType: 'visit', text: '已走访' }, 1);
    expect(noted).toMatchObject({ status: 'in_coordination', revision: 2 });
  });

  it('answers a stale expected revision with a conflict even when this process kept that revision', async () => {
    const filed = await file('陈旧缓存');
    const elsewhere = new ExecuteCaseCommandHandler(store, org, new CaseNumbers(pool), new CaseFoldCache(store, DEFAULT_SLA_POLICY), DEFAULT_SLA_POLICY);
    await elsewhere.execute(new ExecuteCaseCommand({ type: 'AcceptCase', caseId: filed.id, actor: communityCoordinator, at: at() }, 0, randomUUID()));
    // This process kept revision 0 and the client names 0, but the case is at 1 now. A move the
    // kept state would refuse is a conflict, not an illegal transition...
    await expect(run({ type: 'CloseCase', caseId: filed.id, actor: communityCoordinator, at: at(), summary: '办结' }, 0)).rejects.toMatchObject({
      code: 'revision_conflict',
      actual: 1,
    });
    // ...and so is one it would allow.
    await expect(run({ type: 'AcceptCase', caseId: filed.id, actor: communityCoordinator, at: at() }, 0)).rejects.toMatchObject({ code: 'revision_conflict', actual: 1 });
    expect(await run({ type: 'AddNote', caseId: filed.id, actor: communityCoordinator, at: at(), noteType: 'note', text: '继续跟进' }, 1)).toMatchObject({ revision: 2 });
  });

  it('writes nothing when the domain refuses a command', async () => {
    const filed = await file('越权操作');
    await expect(run({ type: 'AcceptCase', caseId: filed.id, actor: otherCommunity, at: at() })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(run({ type: 'CloseCase', caseId: filed.id, actor: communityCoordinator, at: at(), summary: 'x' })).rejects.toMatchObject({
      code: 'illegal_transition',
    });
    expect(await store.readStream(`case-${filed.id}`)).toHaveLength(1);
  });

  it('keeps notes in rows of their own and shows them in order in the list and the inbox', async () => {
    const filed = await file('楼道堆物');
    await run({ type: 'AcceptCase', caseId: filed.id, actor: communityCoordinator, at: at(), note: '已受理' }, 0);
    let last = await run({ type: 'AddNote', caseId: filed.id, actor: communityCoordinator, at: at(), noteType: 'visit', text: '第一次走访' }, 1);
    // Apart, so that the notes land in batches of their own.
    await runner.waitFor(last.position, 10_000);
    last = await run({ type: 'AddNote', caseId: filed.id, actor: communityCoordinator, at: at(), noteType: 'contact', text: '电话回访' }, 2);
    await runner.waitFor(last.position, 10_000);

    const texts = ['已受理', '第一次走访', '电话回访'];
    const { rows } = await pool.query('SELECT v.note_count, v.state, (SELECT array_agg(n.seq ORDER BY n.seq) FROM case_notes n WHERE n.case_id = v.id) AS seqs FROM case_view v WHERE v.id = $1', [filed.id]);
    expect(rows[0]).toMatchObject({ note_count: 3, seqs: [0, 1, 2], state: { notes: [] } });
    const [listed] = (await queries.list({ readableUnitIds: ['hd-dg-1'], page: 1, pageSize: 5, q: '楼道堆物' })).items;
    expect(listed?.state.notes.map((note) => note.text)).toEqual(texts);
    expect(listed?.state.notes[1]).toMatchObject({ type: 'visit', actorId: communityCoordinator.userId });
    const inbox = await queries.inbox({ userId: communityCoordinator.userId, unitIds: ['hd-dg-1'], annotationUnitIds: [], now: new Date() });
    expect(inbox.find((item) => item.state.id === filed.id)?.state.notes.map((note) => note.text)).toEqual(texts);
  });

  it('rebuilds a read model written by the version before, notes inside the state, when its version changed', async () => {
    const filed = await file('旧版读模型');
    await run({ type: 'AcceptCase', caseId: filed.id, actor: communityCoordinator, at: at(), note: '旧备注一' }, 0);
    const last = await run({ type: 'AddNote', caseId: filed.id, actor: communityCoordinator, at: at(), noteType: 'visit', text: '旧备注二' }, 1);
    await runner.waitFor(last.position, 10_000);
    const [current] = (await queries.list({ readableUnitIds: ['hd-dg-1'], page: 1, pageSize: 5, q: '旧版读模型' })).items;
    const notes = current!.state.notes;
    expect(notes.map((note) => note.text)).toEqual(['旧备注一', '旧备注二']);

    await runner.stop();
    // The tables as version 1 left them: notes inside the state, no count, no note rows, no filer.
    await pool.query(`
      DELETE FROM case_notes;
      ALTER TABLE case_view DROP COLUMN filed_by, ALTER COLUMN note_count DROP NOT NULL, ALTER COLUMN note_count DROP DEFAULT;
      UPDATE case_view SET note_count = NULL;
      UPDATE projection_checkpoints SET version = NULL WHERE projection = 'cases';`);
    await pool.query(`UPDATE case_view SET state = (state::jsonb || jsonb_build_object('notes', $2::jsonb))::json WHERE id = $1`, [filed.id, JSON.stringify(notes)]);

    runner = new ProjectionRunner(pool, store, [new CaseReadModelProjection(DEFAULT_SLA_POLICY)], { standbyRetryMs: 100 });
    await runner.start();
    expect(await runner.waitFor(last.position, 10_000)).toBe(true);
    const [listed] = (await queries.list({ readableUnitIds: ['hd-dg-1'], page: 1, pageSize: 5, q: '旧版读模型' })).items;
    expect(listed?.state.notes).toEqual(notes);
    const { rows } = await pool.query('SELECT note_count, state, filed_by FROM case_view WHERE id = $1', [filed.id]);
    expect(rows[0]).toMatchObject({ note_count: 2, state: { notes: [] }, filed_by: clerk.userId });
    const { rows: stored } = await pool.query("SELECT version FROM projection_checkpoints WHERE projection = 'cases'");
    expect(stored).toEqual([{ version: new CaseReadModelProjection(DEFAULT_SLA_POLICY).version }]);
  });

  it('rebuilds the read model from zero into identical rows', async () => {
    const filed = await file('重建一致');
    await run({ type: 'AcceptCase', caseId: filed.id, actor: communityCoordinator, at: at(), note: '受理备注' });
    await run({ type: 'AddNote', caseId: filed.id, actor: communityCoordinator, at: at(), noteType: 'visit', text: '走访' });
    const last = await run({ type: 'ResolveCase', caseId: filed.id, actor: communityCoordinator, at: at(), outcome: 'mediated', summary: '双方和解' });
    await runner.waitFor(last.position, 10_000);
    const snapshot = async () => ({
      views: (await pool.query('SELECT * FROM case_view ORDER BY id')).rows,
      inbox: (await pool.query('SELECT * FROM inbox_items ORDER BY case_id')).rows,
      notes: (await pool.query('SELECT * FROM case_notes ORDER BY case_id, seq')).rows,
    });
    const before = await snapshot();
    expect(before.views.length).toBeGreaterThanOrEqual(5);

    // Damage the read model: only a replay from the start of the log can mend it.
    await pool.query("UPDATE case_view SET title = '损坏', state = '{}'::jsonb");
    await pool.query('DELETE FROM inbox_items');
    await pool.query('DELETE FROM case_notes');
    await runner.rebuild('cases');
    expect(await runner.waitFor(last.position, 10_000)).toBe(true);
    expect(await snapshot()).toEqual(before);
  });
  it('keeps every deadline where the policy in force set it: a new policy times only the runs that start under it', async () => {
    const filed = await file('时限不随政策改变');
    const accepted = await run({ type: 'AcceptCase', caseId: filed.id, actor: communityCoordinator, at: at() }, filed.revision);
    const runsUnder = async (policy: SlaPolicy) => (await new CaseFoldCache(store, policy).current(filed.id)).clocks.clocks;
    const before = await runsUnder(DEFAULT_SLA_POLICY);
    expect(before.map((r) => [r.clock, r.state])).toEqual([
      ['accept', 'met'],
      ['resolve', 'running'],
    ]);

    // The policy file changes: accept in 5 working days, resolve in 30, breaches escalate everywhere.
    const stricter = parseSlaPolicy({
      clocks: { accept: { default: { workingDays: 5 }, onBreach: 'escalate' }, resolve: { default: { workingDays: 30 } } },
    });
    expect(clockDuration(stricter, 'resolve', 'dispute')).toEqual({ workingDays: 30 });
    expect(await runsUnder(stricter)).toEqual(before);

    // Under the new policy, a run that starts now is timed by it, and the old runs stay as they were.
    const later = new ExecuteCaseCommandHandler(store, org, new CaseNumbers(pool), new CaseFoldCache(store, stricter), stricter);
    await later.execute(new ExecuteCaseCommand({ type: 'EscalateCase', caseId: filed.id, actor: communityCoordinator, at: at(), reason: '需街道协调' }, accepted.revision, randomUUID()));
    const after = await runsUnder(DEFAULT_SLA_POLICY);
    expect(after.slice(0, 2).map(({ dueAt, warnAt, duration }) => ({ dueAt, warnAt, duration }))).toEqual(before.map(({ dueAt, warnAt, duration }) => ({ dueAt, warnAt, duration })));
    expect(after[2]).toMatchObject({ clock: 'accept', state: 'running', duration: { workingDays: 5 }, onBreach: 'escalate' });
  });
});
