import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { SCRYPT_DEFAULTS, SCRYPT_LOG2N_RANGE } from '#accounts';
import { attachmentSettingsFromEnv, type AttachmentStorageSettings } from '#attachments';
import { DEFAULT_ACQUIRE_TIMEOUT_MS } from '#database';
import { esdbConnectionString } from '#event-store';
import { CASE_KINDS, type CaseKind } from '#domain';
import { notificationSettingsFromEnv, type NotificationSettings } from '#notifications';
import { MAX_PROJECTION_LANES } from '#projections';

/** Everything the engine reads from its environment, checked once at start-up. */
export interface AppConfig {
  readonly port: number;
  /** HOST as given; unset, the server picks (see listenAddress: loopback while demo passwords are published). */
  readonly host: string | undefined;
  /**
   * The reverse proxies whose X-Forwarded-For is believed (addresses and CIDR ranges, Fastify's
   * `trustProxy`); unset: the client address is the socket's peer, and the header is ignored.
   */
  readonly trustProxy: readonly string[] | undefined;
  readonly dataDir: string;
  /** Unset: an embedded PostgreSQL under dataDir. */
  readonly databaseUrl: string | undefined;
  readonly jobsDatabaseUrl: string | undefined;
  /** How long a request waits for a connection of the main pool before it answers 503 (default 5000). */
  readonly databaseAcquireTimeoutMs: number;
  readonly redisUrl: string | undefined;
  /**
   * EVENTSTORE_URL: the events in EventStoreDB / KurrentDB (esdb://, esdb+discover://, kurrentdb://,
   * kurrentdb+discover://) instead of PostgreSQL; read models, checkpoints, timers and accounts stay in PostgreSQL.
   */
  readonly eventStoreUrl: string | undefined;
  readonly jwtSecret: string | undefined;
  /** Demo org tree and accounts: always in embedded mode, else only with MINYI_DEMO=1. */
  readonly demo: boolean;
  readonly demoPassword: string;
  /**
   * How many demo cases (about a year of them) the first start with demo data seeds into an
   * empty store: MINYI_DEMO_CASES, default 500 when embedded and 0 on a configured server (demo
   * accounts there need not mean a made-up year); 0 seeds none. Without demo data, 0.
   */
  readonly demoCases: number;
  /** Org tree file; default the demo tree shipped with the engine. */
  readonly orgFile: string | undefined;
  readonly logLevel: string;
  /** Replaces the default SLA policy of DESIGN.md (format in API.md). */
  readonly slaPolicyFile: string | undefined;
  /** The scrypt cost of new password hashes, a power of two: PASSWORD_SCRYPT_LOG2N (default 17). */
  readonly passwordHashLog2N: number;
  /** Webhook, e-mail and retry settings of the notifications. */
  readonly notify: NotificationSettings;
  /** The kinds residents may file through the public channel (PUBLIC_CASE_KINDS); unset: the default four. */
  readonly publicKinds: readonly CaseKind[] | undefined;
  /** Where attachment files are kept: under dataDir, or in an S3-compatible bucket (ATTACHMENTS_S3_*). */
  readonly attachments: AttachmentStorageSettings;
  /** How many lanes each projection that may runs in (PROJECTION_LANES, default 1): processes share the lanes. */
  readonly projectionLanes: number;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`configuration ${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/**
 * Errors that mean the operator must change something (a variable, a file, a folder): start-up
 * stops with their message alone, not a stack trace.
 */
const CONFIGURATION_ERRORS = new Set(['ConfigError', 'NotificationConfigError', 'SlaPolicyFileError', 'OrgFileError', 'JwtSecretError', 'EmbeddedPostgresDataDirError', 'AttachmentConfigError']);

export function isConfigurationError(error: unknown): error is Error {
  return error instanceof Error && CONFIGURATION_ERRORS.has(error.name);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const databaseUrl = nonEmpty(env.DATABASE_URL);
  if (databaseUrl) checkUrl('DATABASE_URL', databaseUrl, ['postgres:', 'postgresql:']);
  const jobsDatabaseUrl = nonEmpty(env.JOBS_DATABASE_URL);
  if (jobsDatabaseUrl) checkUrl('JOBS_DATABASE_URL', jobsDatabaseUrl, ['postgres:', 'postgresql:']);
  const redisUrl = nonEmpty(env.REDIS_URL);
  if (redisUrl) checkUrl('REDIS_URL', redisUrl, ['redis:', 'rediss:']);
  const eventStoreUrl = nonEmpty(env.EVENTSTORE_URL);
  if (eventStoreUrl) checkEventStoreUrl(eventStoreUrl);
  const dataDir = resolve(nonEmpty(env.MINYI_DATA_DIR) ?? './data');
  // Embedded: demo data unless turned off; on a configured server: only when asked for.
  const demo = databaseUrl === undefined ? env.MINYI_DEMO !== '0' : env.MINYI_DEMO === '1';
  return {
    port: portNumber(env.PORT ?? '3000'),
    host: nonEmpty(env.HOST),
    trustProxy: proxyList(env.TRUST_PROXY),
    dataDir,
    databaseUrl,
    jobsDatabaseUrl,
    databaseAcquireTimeoutMs: acquireTimeout(env.DATABASE_ACQUIRE_TIMEOUT_MS),
    redisUrl,
    eventStoreUrl,
    jwtSecret: nonEmpty(env.JWT_SECRET),
    demo,
    demoPassword: nonEmpty(env.MINYI_DEMO_PASSWORD) ?? 'demo12345',
    demoCases: demo ? demoCaseCount(env.MINYI_DEMO_CASES, databaseUrl === undefined ? 500 : 0) : 0,
    orgFile: nonEmpty(env.MINYI_ORG_FILE),
    logLevel: nonEmpty(env.LOG_LEVEL) ?? 'info',
    slaPolicyFile: nonEmpty(env.SLA_POLICY_FILE),
    passwordHashLog2N: scryptCost(env.PASSWORD_SCRYPT_LOG2N),
    notify: notificationSettingsFromEnv(env),
    publicKinds: publicKinds(env.PUBLIC_CASE_KINDS),
    attachments: attachmentSettingsFromEnv(dataDir, env),
    projectionLanes: projectionLanes(env.PROJECTION_LANES),
  };
}

function projectionLanes(text: string | undefined): number {
  const given = nonEmpty(text);
  if (given === undefined) return 1;
  const lanes = Number(given);
  if (!/^\d+$/.test(given) || lanes < 1 || lanes > MAX_PROJECTION_LANES) {
    throw new ConfigError('PROJECTION_LANES', `"${given}" is not a whole number of lanes from 1 to ${MAX_PROJECTION_LANES}`);
  }
  return lanes;
}

function publicKinds(text: string | undefined): readonly CaseKind[] | undefined {
  const value = nonEmpty(text);
  if (value === undefined) return undefined;
  const kinds = value.split(',').map((kind) => kind.trim());
  const unknown = kinds.filter((kind) => !(CASE_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0 || kinds.length === 0) {
    throw new ConfigError('PUBLIC_CASE_KINDS', `${unknown.map((kind) => `"${kind}"`).join(', ')} is not a case kind (a comma-separated list of ${CASE_KINDS.join(', ')})`);
  }
  return [...new Set(kinds)] as CaseKind[];
}

/** Enough for about a year of a busy street office; more makes the first start slow for nothing. */
const MAX_DEMO_CASES = 5_000;

function demoCaseCount(text: string | undefined, unset: number): number {
  const given = nonEmpty(text);
  if (given === undefined) return unset;
  const count = Number(given);
  if (!/^\d+$/.test(given) || count > MAX_DEMO_CASES) {
    throw new ConfigError('MINYI_DEMO_CASES', `"${given}" is not a whole number from 0 (no demo cases) to ${MAX_DEMO_CASES}`);
  }
  return count;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value.trim() : undefined;
}

function scryptCost(text: string | undefined): number {
  if (nonEmpty(text) === undefined) return Math.log2(SCRYPT_DEFAULTS.N);
  const log2N = Number(text);
  const { min, max } = SCRYPT_LOG2N_RANGE;
  if (!Number.isInteger(log2N) || log2N < min || log2N > max) throw new ConfigError('PASSWORD_SCRYPT_LOG2N', `"${text}" is not a whole number from ${min} to ${max} (the scrypt cost N = 2^n)`);
  return log2N;
}

function portNumber(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('PORT', `"${text}" is not a port number (0-65535)`);
  return port;
}

/** The ranges proxy-addr (Fastify's `trustProxy`) knows by name. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function proxyList(text: string | undefined): readonly string[] | undefined {
  const value = nonEmpty(text);
  if (value === undefined) return undefined;
  return value.split(',').map((entry) => {
    const proxy = entry.trim();
    const [address = '', prefix, extra] = proxy.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const validPrefix = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (NAMED_RANGES.has(proxy) || (family !== 0 && validPrefix && extra === undefined)) return proxy;
    throw new ConfigError(
      'TRUST_PROXY',
      `"${proxy}" is not an IP address or CIDR range (a comma-separated list such as "10.0.0.1, 192.168.0.0/16, fd00::/8", or loopback, linklocal, uniquelocal)`,
    );
  });
}

/** The most a request may wait for a database connection: longer is a hang by another name. */
const MAX_ACQUIRE_TIMEOUT_MS = 60_000;

function acquireTimeout(text: string | undefined): number {
  const given = nonEmpty(text);
  if (given === undefined) return DEFAULT_ACQUIRE_TIMEOUT_MS;
  const ms = Number(given);
  if (!/^\d+$/.test(given) || ms < 1 || ms > MAX_ACQUIRE_TIMEOUT_MS) {
    throw new ConfigError('DATABASE_ACQUIRE_TIMEOUT_MS', `"${given}" is not a whole number of milliseconds from 1 to ${MAX_ACQUIRE_TIMEOUT_MS}`);
  }
  return ms;
}

function checkUrl(variable: string, value: string, protocols: string[]): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(variable, 'is not a URL');
  }
  if (!protocols.includes(url.protocol)) throw new ConfigError(variable, `expected a ${protocols.join(' or ')} URL, got ${url.protocol}`);
}

/** An EventStoreDB connection string may name several hosts, which URL does not parse: only its scheme is checked here. */
function checkEventStoreUrl(value: string): void {
  try {
    esdbConnectionString(value);
  } catch (error) {
    throw new ConfigError('EVENTSTORE_URL', (error as Error).message);
  }
}
