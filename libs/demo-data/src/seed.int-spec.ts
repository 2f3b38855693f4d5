import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { DEMO_ACCOUNTS } from '#accounts';
import { bulletinIdOf } from '#bulletins';
import { CaseFoldCache, caseIdOf, isCaseStream } from '#cases';
import { MAIN_POOL } from '#database';
import { ORG_TREE, isOpenRun, pendingSlaTimers, type CaseEvent, type CaseStatus, type OrgTree } from '#domain';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '#event-store';
import { createLogger, loadConfig, startEngine } from '#platform';
import { createTestDatabase, type TestDatabase } from '#testing';
import { DEMO_SEED, seedDemoDataOnFirstStart } from './first-start.js';
import { planDemoCases } from './plan.js';
import type { DemoSeedingResult } from './seed.js';

const COUNT = 150;

/**
 * The demo year seeded through the real command path into a real store: laid out before the real
 * current time (against which the timers fire), and before the morning after the National Day
 * week, when many clocks ran over the holidays.
 */
describe.each([
  ['now', new Date(), null],
  ['just after a holiday week', new Date('2026-10-08T01:30:00Z'), null],
  // A policy whose resolution breach only notifies: the cases planned to escalate on it go up by hand instead.
  ['now, on a policy that does not escalate on a breach', new Date(), { clocks: { resolve: { default: { workingDays: 8 }, onBreach: 'notify' } } }],
])('seeding the demo cases before %s', (_name, now, policy) => {
  const escalatesOnBreach = policy === null;
  let db: TestDatabase;
  let dir: string;
  let engine: INestApplicationContext;
  let seeded: DemoSeedingResult;
  let events: RecordedEvent[];
  const logger = createLogger('silent');

  const readLog = async (): Promise<RecordedEvent[]> => {
    const store = engine.get<EventStore>(EVENT_STORE);
    const all: RecordedEvent[] = [];
    for (;;) {
      const batch = await store.readAll({ after: all.at(-1)?.position ?? null, maxCount: 5_000 });
      all.push(...batch);
      if (batch.length < 5_000) return all;
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase('minyi_demo_cases');
    dir = await mkdtemp(join(tmpdir(), 'minyi-demo-cases-'));
    const policyFile = join(dir, 'sla-policy.json');
    if (policy) await writeFile(policyFile, JSON.stringify(policy));
    const config = loadConfig({ DATABASE_URL: db.url, JOBS_DATABASE_URL: db.url, MINYI_DATA_DIR: dir, MINYI_DEMO: '1', LOG_LEVEL: 'silent', ...(policy ? { SLA_POLICY_FILE: policyFile } : {}) });
    engine = await startEngine(config, logger, { workers: false });
    seeded = await seedDemoDataOnFirstStart(engine, { count: COUNT, now, logger });
    events = await readLog();
  }, 240_000);

  afterAll(async () => {
    await engine?.close();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const filings = () => events.filter((event) => event.type === 'CaseFiled').map((event) => event.data as unknown as Extract<CaseEvent, { type: 'CaseFiled' }>['data']);

  it('files the cases asked for through the command path, with none cut short', () => {
    expect(seeded.skipped).toBeNull();
    expect(seeded.cutShort).toBe(0);
    expect(filings().length).toBe(seeded.cases);
    expect(seeded.cases).toBeGreaterThanOrEqual(COUNT - 5);
    expect(seeded.cases).toBeLessThanOrEqual(COUNT + 5);
  });

  it('leaves no open clock due, and no timer to fire, before now', async () => {
    const cases = engine.get(CaseFoldCache);
    const caseIds = [...new Set(events.filter((event) => isCaseStream(event.streamId)).map((event) => caseIdOf(event.streamId)))];
    const overdue: string[] = [];
    let open = 0;
    for (const caseId of caseIds) {
      const { clocks } = (await cases.current(caseId)).clocks;
      for (const run of clocks.filter(isOpenRun)) {
        open++;
        if (Date.parse(run.dueAt) <= now.getTime()) overdue.push(`${caseId} ${run.clock} due ${run.dueAt}`);
      }
      for (const timer of pendingSlaTimers(clocks)) {
        if (Date.parse(timer.fireAt) <= now.getTime()) overdue.push(`${caseId} ${timer.command} at ${timer.fireAt}`);
      }
    }
    expect(overdue).toEqual([]);
    // The running cases do have clocks: the check above saw some.
    expect(open).toBeGreaterThan(0);
    // And the timer rows the reactor wrote (seeding waited for it) agree.
    const { rows } = await engine.get<pg.Pool>(MAIN_POOL).query<{ due: number; later: number }>(
      'SELECT count(*) FILTER (WHERE due_at <= $1)::int AS due, count(*) FILTER (WHERE due_at > $1)::int AS later FROM sla_timers',
      [now],
    );
    expect(rows[0]).toEqual({ due: 0, later: expect.any(Number) });
    expect(rows[0]!.later).toBeGreaterThan(0);
  });

  it('has lateness on record as the system records it, at the due times', () => {
    const alerts = events.filter((event) => event.type === 'SlaWarningRaised' || event.type === 'SlaBreached');
    expect(alerts.some((event) => event.type === 'SlaBreached')).toBe(true);
    for (const event of alerts) {
      expect(event.metadata.actorId).toBe('system');
      const { dueAt } = event.data as { dueAt: string };
      if (event.type === 'SlaBreached') expect(Date.parse(event.metadata.at as string)).toBe(Date.parse(dueAt));
    }
    // A resolution clock that ran out escalated the case where the policy says so; else no one but a coordinator escalates.
    expect(events.some((event) => event.type === 'CaseEscalated' && event.metadata.actorId === 'system')).toBe(escalatesOnBreach);
    expect(events.some((event) => event.type === 'CaseEscalated' && event.metadata.actorRole === 'coordinator')).toBe(true);
  });

  it('ends the cases in the states of a working year: most closed, some rejected, withdrawn, merged, a few running', () => {
    const status = new Map<string, CaseStatus>();
    for (const event of events) {
      if (!isCaseStream(event.streamId)) continue;
      const caseId = caseIdOf(event.streamId);
      const next: Partial<Record<string, CaseStatus>> = {
        CaseFiled: 'filed', CaseAccepted: 'in_coordination', CaseRejected: 'rejected', CaseWithdrawn: 'withdrawn', CaseMerged: 'merged', CaseClosed: 'closed',
        CaseResolved: 'resolved', AnnotationRequested: 'awaiting_annotation', CaseAnnotated: 'in_coordination', CaseReopened: 'in_coordination', CaseEscalated: 'filed',
      };
      if (event.type === 'FeedbackRecorded') status.set(caseId, (event.data as { satisfaction: string }).satisfaction === 'unsatisfied' ? 'in_coordination' : 'closed');
      else if (next[event.type]) status.set(caseId, next[event.type]!);
    }
    const count = (s: CaseStatus) => [...status.values()].filter((value) => value === s).length;
    expect(count('closed')).toBeGreaterThan(seeded.cases * 0.7);
    for (const s of ['rejected', 'withdrawn', 'merged'] as const) expect(count(s)).toBeGreaterThan(0);
    const running = count('filed') + count('in_coordination') + count('awaiting_annotation') + count('resolved');
    expect(running).toBeGreaterThan(0);
    expect(running).toBeLessThan(seeded.cases * 0.15);
    expect(events.filter((event) => event.type === 'SuggestionAdopted').length).toBe(seeded.adoptions.length);
    expect(seeded.adoptions.length).toBeGreaterThan(0);
  });

  it('keeps each case\'s history in time order, all of it before now', () => {
    const last = new Map<string, number>();
    for (const event of events.filter((e) => isCaseStream(e.streamId))) {
      const at = Date.parse(event.metadata.at as string);
      expect(at).toBeLessThan(now.getTime());
      expect(at).toBeGreaterThanOrEqual(last.get(event.streamId) ?? 0);
      last.set(event.streamId, at);
    }
  });

  it('is the plan of its seed: the same titles and kinds in the same order, numbered as filed', () => {
    const staff = DEMO_ACCOUNTS;
    const plan = planDemoCases({ seed: DEMO_SEED, count: COUNT, now, org: engine.get<OrgTree>(ORG_TREE), staff });
    const planned = plan.flatMap((p) => p.steps.flatMap((step) => (step.kind === 'act' && step.command.type === 'FileCase' ? [{ title: step.command.title, kind: step.command.kind }] : [])));
    const filed = filings();
    expect(filed.map(({ title, kind }) => ({ title, kind }))).toEqual(planned);
    const numbers = filed.map((f) => f.number);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('records every adoption it planned, each by someone the adoption rules allow: none refused', () => {
    const plan = planDemoCases({ seed: DEMO_SEED, count: COUNT, now, org: engine.get<OrgTree>(ORG_TREE), staff: DEMO_ACCOUNTS });
    const planned = plan.flatMap((p) => p.steps.filter((step) => step.kind === 'act' && step.command.type === 'AdoptSuggestion'));
    expect(seeded.adoptions).toHaveLength(planned.length);
    const adopted = events.filter((event) => event.type === 'SuggestionAdopted');
    expect(adopted.some((event) => (event.data as { kind: string }).kind === 'annotated')).toBe(true);
    for (const event of adopted.filter((e) => (e.data as { kind: string }).kind === 'annotated')) expect(event.metadata.actorRole).toBe('leader');
  });

  it('publishes the bulletins of the year, each holding suggestions its unit may read, before now', () => {
    expect(seeded.bulletins).toBeGreaterThan(0);
    const published = events.filter((event) => event.type === 'BulletinPublished');
    expect(published.length).toBe(seeded.bulletins);
    const suggestions = new Set(filings().filter((f) => f.kind === 'suggestion').map((f) => f.caseId));
    for (const event of published) {
      expect(Date.parse(event.metadata.at as string)).toBeLessThan(now.getTime());
      const { items } = event.data as { items: { caseId: string }[] };
      expect(items.length).toBeGreaterThanOrEqual(2);
      for (const item of items) expect(suggestions.has(item.caseId)).toBe(true);
    }
    // Adoptions that name a bulletin come after it came out, on a case it holds.
    const issues = new Map(published.map((event) => [bulletinIdOf(event.streamId), event]));
    const linked = events.filter((event) => event.type === 'SuggestionAdopted' && (event.data as { bulletinId: string | null }).bulletinId !== null);
    expect(linked.length).toBeGreaterThan(0);
    for (const adoption of linked) {
      const issue = issues.get((adoption.data as { bulletinId: string }).bulletinId)!;
      expect((issue.data as { items: { caseId: string }[] }).items.map((item) => item.caseId)).toContain(caseIdOf(adoption.streamId));
      expect(Date.parse(adoption.metadata.at as string)).toBeGreaterThan(Date.parse(issue.metadata.at as string));
    }
  });

  it('adds nothing on a second start, once the store holds cases', async () => {
    const again = await seedDemoDataOnFirstStart(engine, { count: COUNT, now, logger });
    expect(again).toMatchObject({ skipped: 'cases_exist', cases: 0 });
    expect((await readLog()).length).toBe(events.length);
  });
});
