import { afterAll, afterEach, beforeAll } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { createTestDatabase, type TestDatabase } from '#testing';
import { createHttpApp } from '../../src/http-app.js';
import type pg from 'pg';
import { MAIN_POOL } from '#database';
import { EVENT_STORE, type PostgresEventStore } from '#event-store';
import { JOB_QUEUES, type JobQueues } from '#jobs';
import { createLogger, loadConfig } from '#platform';
import { ProjectionRunner } from '#projections';
import { ContractChecker, checkedAgainst, takeViolations } from './contract.js';

export const DEMO_PASSWORD = 'demo12345';

/** The parts of the engine that tests reach behind the API: the database, the log, the queues, the projections. */
export interface TestEngine {
  readonly pool: pg.Pool;
  readonly store: PostgresEventStore;
  readonly queues: JobQueues;
  readonly projections: ProjectionRunner;
}

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly engine: TestEngine;
  readonly db: TestDatabase;
  /** Where the installation keeps its generated secrets. */
  readonly dataDir: string;
  /** supertest against the running app. */
  readonly http: () => supertest.Agent;
  /** The current time the app sees; tests move it with `advance`. */
  now(): Date;
  advance(ms: number): void;
  /** Waits until every projection has applied the last event of the log. */
  settle(): Promise<void>;
  /** A bearer token for a demo account. */
  token(username: string): Promise<string>;
  close(): Promise<void>;
}

/** How a test app starts. */
export interface TestAppOptions {
  /** The app's clock at the start. */
  readonly start?: Date;
  /** More settings (the webhook's or the e-mail's, for example). */
  readonly env?: Readonly<Record<string, string>>;
  /** TRUST_PROXY: with `loopback`, tests give each request a client address by X-Forwarded-For. */
  readonly trustProxy?: string;
  /** A second API process of this app's installation: its database and data dir (so its token secret), left to their owner. */
  readonly sameInstallationAs?: TestApp;
}

/**
 * The whole HTTP API over a database of its own (real PostgreSQL), with the demo org tree and
 * accounts, and a clock the test drives.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const owner = options.sameInstallationAs;
  const db = owner?.db ?? (await createTestDatabase('minyi_e2e'));
  const dataDir = owner?.dataDir ?? (await mkdtemp(join(tmpdir(), 'minyi-e2e-')));
  const config = loadConfig({
    DATABASE_URL: db.url,
    JOBS_DATABASE_URL: db.url,
    MINYI_DATA_DIR: dataDir,
    MINYI_DEMO: '1',
    MINYI_DEMO_PASSWORD: DEMO_PASSWORD,
    LOG_LEVEL: 'silent',
    PASSWORD_SCRYPT_LOG2N: '14',
    TRUST_PROXY: options.trustProxy,
    ...options.env,
  });
  let clock = (options.start ?? new Date('2026-11-02T09:00:00+08:00')).getTime();
  // The engine's timers and workers see the test's clock too.
  const app = await createHttpApp({ config, logger: createLogger('silent'), workers: true, now: () => new Date(clock) });
  await app.init();
  const engine: TestEngine = {
    pool: app.get(MAIN_POOL),
    store: app.get(EVENT_STORE),
    queues: app.get(JOB_QUEUES),
    projections: app.get(ProjectionRunner),
  };
  await app.getHttpAdapter().getInstance().ready();
  // Tokens expire after 8 h of the test's clock: log in again when one is older than 7 h.
  const tokens = new Map<string, { token: string; issuedAt: number }>();
  // Every response the tests receive is checked against the document this app serves (contract.ts).
  const served = await supertest(app.getHttpServer()).get('/api/docs-json').expect(200);
  const contract = checkedAgainst(new ContractChecker(served.body));
  const http = () => supertest.agent(app.getHttpServer()).use(contract);
  return {
    app,
    engine,
    db,
    dataDir,
    http,
    now: () => new Date(clock),
    advance: (ms) => void (clock += ms),
    async settle() {
      const { rows } = await engine.pool.query<{ last: string | null }>('SELECT max(global_position)::text AS last FROM events');
      if (rows[0]?.last && !(await engine.projections.waitFor(Number(rows[0].last), 10_000))) throw new Error('the projections did not catch up within 10 s');
    },
    async token(username) {
      const cached = tokens.get(username);
      if (cached && Math.abs(clock - cached.issuedAt) < 7 * 3_600_000) return cached.token;
      const response = await http().post('/api/v1/auth/login').send({ username, password: DEMO_PASSWORD }).expect(200);
      tokens.set(username, { token: response.body.accessToken, issuedAt: clock });
      return response.body.accessToken as string;
    },
    async close() {
      await app.close();
      if (owner) return;
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Fails with the responses seen since the last check that break the published contract. */
function failOnViolations(): void {
  const seen = takeViolations();
  if (seen.length > 0) throw new Error(`responses that do not match the OpenAPI document (/api/docs-json):\n${seen.join('\n')}`);
}

// A response that breaks the published contract fails the test that received it (and one received
// after the file's last test, in its clean-up, fails the file).
afterEach(failOnViolations);
afterAll(failOnViolations);

/**
 * Starts the app before the file's tests and closes it after them; `started` receives it (to
 * keep it, and to set up what the file's tests share).
 */
export function useTestApp(started: (app: TestApp) => void | Promise<void>, options: TestAppOptions = {}): void {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await startTestApp(options);
    await started(app);
  });
  afterAll(async () => {
    await app?.close();
  });
}
