import 'reflect-metadata';
import { findConsoleDir } from './console.js';
import { createHttpApp } from './http-app.js';
import { CredentialStore, DEMO_ACCOUNTS_IN_USE, type DemoAccount } from '#accounts';
import { listenAddress } from './listen-address.js';
import { DATABASES, type Databases } from '#database';
import { seedInBackground } from '#demo-data';
import { createLogger, isConfigurationError, loadConfig, startEngineWorkers } from '#platform';

/** `npm start`: the engine, its read models and the HTTP API in one process. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const workers = process.env.MINYI_WORKERS !== '0';
  // With demo cases to seed, this process's workers wait until they are in (see seedInBackground).
  const app = await createHttpApp({ config, logger, workers: workers && config.demoCases === 0 });
  let seeding: { stop(): Promise<void> } | null = null;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: no new requests, finishing those in flight');
    // Seeding stops after the case in hand: the next start sees cases and seeds no more.
    await seeding?.stop();
    // Stops the HTTP server after in-flight requests finish, then the engine: subscriptions, pools, the embedded database.
    await app.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  let host: string;
  try {
    host = listenAddress(config.host, await app.get(CredentialStore).anyPublishedPassword());
    await app.listen(config.port, host);
  } catch (error) {
    // The port taken, say: stop the engine (and the embedded database) before saying so.
    await app.close();
    throw error;
  }
  const base = `http://localhost:${config.port}`;
  const lines = [
    '',
    `minyi is running${app.get<Databases>(DATABASES).embedded ? ` on an embedded PostgreSQL (data in ${config.dataDir})` : ''}`,
    `  console       ${findConsoleDir() ? `${base}/` : 'not built: run npm run build'}`,
    `  mailbox       ${findConsoleDir() ? `${base}/mailbox  (意见箱: residents file; ${base}/track to follow a case)` : 'not built'}`,
    `  API           ${base}/api/v1   Open311: ${base}/open311/v2/discovery.json`,
    `  OpenAPI docs  ${base}/api/docs  (JSON: ${base}/api/docs-json)`,
    `  health        ${base}/health   metrics: ${base}/metrics`,
  ];
  if (host !== (config.host ?? '0.0.0.0')) {
    lines.push(
      '',
      `Listening on ${host} only: some accounts still have the published demo password. Change their`,
      'passwords (修改密码 in the console) before serving other machines (HOST).',
    );
  }
  const demo = app.get<readonly DemoAccount[]>(DEMO_ACCOUNTS_IN_USE);
  if (demo.length > 0) {
    // MINYI_DEMO_PASSWORD is the password of the accounts it created; those of an earlier start keep theirs.
    const created = demo.filter((account) => account.created).length;
    const heading =
      created === demo.length
        ? `Demo accounts (password: ${config.demoPassword}):`
        : created === 0
          ? 'Demo accounts (created at an earlier start, with the password given then; MINYI_DEMO_PASSWORD does not change it):'
          : `Demo accounts (* created now, password: ${config.demoPassword}; the others keep the password given at an earlier start):`;
    lines.push('', heading);
    for (const account of demo) {
      const mark = created > 0 && created < demo.length && account.created ? '*' : ' ';
      lines.push(` ${mark}${account.username.padEnd(20)} ${account.roles.join(',').padEnd(12)} ${account.unitId.padEnd(9)} ${account.displayName}`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
  if (config.demoCases > 0) {
    seeding = seedInBackground(app, {
      count: config.demoCases,
      logger,
      startWorkers: workers ? () => startEngineWorkers(app) : null,
      onSeeded: (result, stopped) => {
        const cutShort = result.cutShort > 0 ? ` (${result.cutShort} cut short: see the log)` : '';
        const what = `${result.cases} cases over the past year and ${result.bulletins} bulletins`;
        process.stdout.write(`Demo data: seeded ${what} in ${(result.elapsedMs / 1000).toFixed(1)} s${cutShort}${stopped ? ', stopped by the shutdown' : ''} (MINYI_DEMO_CASES=0 turns this off)\n`);
      },
    });
  }
}

main().catch((error: unknown) => {
  // Mistakes in the configuration stop start-up with their message alone, and exit code 2.
  if (isConfigurationError(error)) {
    process.stderr.write(`minyi: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`minyi failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
