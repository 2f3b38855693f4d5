import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
export function runCli(databaseUrl: string, dataDir: string, args: readonly string[]): Promise<CliRun> {
  const env = { ...process.env, DATABASE_URL: databaseUrl, JOBS_DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', MINYI_DATA_DIR: dataDir };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_MAIN, ...args], { env, timeout: 100_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}
