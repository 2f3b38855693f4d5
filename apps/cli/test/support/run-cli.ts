import { afterAll, beforeAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Api } from '../../../api/test/support/api.js';
import { startTestApp, type TestApp } from '../../../api/test/support/test-app.js';

/** The built CLI: the CLI specs run it as an operator would, after `npm run build` (npm test does). */
export const CLI_MAIN = fileURLToPath(new URL('../../../../dist/apps/cli/src/main.js', import.meta.url));

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Fails early, with the fix, when the CLI has not been built. */
export function assertCliBuilt(): void {
  if (!existsSync(CLI_MAIN)) throw new Error(`no built CLI at ${CLI_MAIN}: run \`npm run build\` first (npm test does)`);
}

/**
 * Runs the CLI in a process of its own on the given database (the jobs too) and data dir, logs
 * off, and answers its exit code and output.
 */
export function runCli(databaseUrl: string, dataDir: string, args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const env = { ...process.env, DATABASE_URL: databaseUrl, JOBS_DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', MINYI_DATA_DIR: dataDir, ...options.env };
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI_MAIN, ...args], { env, timeout: 100_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

/** More of a CLI run's surroundings: extra environment variables, and what standard input holds. */
export interface CliOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string;
}

/** What a CLI spec works with: the app on a database of its own, and the CLI on that database. */
export interface CliApp {
  readonly t: TestApp;
  readonly api: Api;
  /** The CLI's data dir, a scratch folder of the file's own (also for files the tests write). */
  readonly dir: string;
  /** Runs the CLI on the app's database, with `dir` as its data dir. */
  readonly cli: (...args: string[]) => Promise<CliRun>;
  /** The same, with more environment or standard input. */
  readonly cliWith: (options: CliOptions, ...args: string[]) => Promise<CliRun>;
}

/**
 * Starts the app before the file's tests, with a scratch data dir for the CLI, and closes both
 * after them; `started` receives them (to keep them, and to set up what the tests share).
 */
export function useCliApp(started: (app: CliApp) => void | Promise<void>, timeoutMs?: number): void {
  let t: TestApp | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    assertCliBuilt();
    const app = await startTestApp();
    t = app;
    const dataDir = await mkdtemp(join(tmpdir(), 'minyi-cli-'));
    dir = dataDir;
    await started({
      t: app,
      api: new Api(app),
      dir: dataDir,
      cli: (...args) => runCli(app.db.url, dataDir, args),
      cliWith: (options, ...args) => runCli(app.db.url, dataDir, args, options),
    });
  }, timeoutMs);
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, timeoutMs);
}
