import { backoffDelay } from './error-reporter.js';

/**
 * The part of an ioredis client that the job queues use. ioredis is loaded at run time and only
 * when Redis is configured: BullMQ 6 lists it as an optional peer dependency, so a process on
 * the PostgreSQL backend runs without it.
 */
export interface RedisClient {
  readonly status: string;
  connect(): Promise<void>;
  duplicate(override?: Record<string, unknown>): RedisClient;
  disconnect(): void;
  quit(): Promise<unknown>;
  ping(): Promise<unknown>;
  scan(cursor: string, ...args: (string | number)[]): Promise<[string, string[]]>;
  del(...keys: string[]): Promise<number>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  once(event: 'ready', listener: () => void): unknown;
  removeListener(event: 'ready', listener: () => void): unknown;
}

export type RedisConstructor = new (url: string, options: Record<string, unknown>) => RedisClient;

/** Loads ioredis, or explains what is missing. */
export async function loadIORedis(): Promise<RedisConstructor> {
  // A specifier held in a variable keeps the type check from requiring the package.
  const specifier: string = 'ioredis';
  let loaded: { Redis?: unknown; default?: { Redis?: unknown } | unknown };
  try {
    loaded = (await import(specifier)) as typeof loaded;
  } catch (error) {
    throw new Error(
      "a Redis URL is configured, but the 'ioredis' package is not installed (BullMQ 6 declares it an optional peer dependency): add ioredis to the dependencies",
      { cause: error },
    );
  }
  const fromDefault = (loaded.default as { Redis?: unknown } | undefined)?.Redis ?? loaded.default;
  const constructor = loaded.Redis ?? fromDefault;
  if (typeof constructor !== 'function') throw new Error("the 'ioredis' package does not export a Redis client class");
  return constructor as RedisConstructor;
}

/**
 * Connection roles. Queues (producers, counts, health) fail fast while Redis is away: no
 * offline queue, one retry. Workers wait for Redis to come back (BullMQ requires
 * `maxRetriesPerRequest: null` for them). Both reconnect with capped exponential backoff
 * (250 ms doubling to 2 s) for ever, so a dead server costs one attempt and one error event per
 * connection every few seconds. BullMQ gives each worker one more connection for its blocking
 * fetch, duplicated from the workers' client with the same options.
 */
export type RedisRole = 'queues' | 'workers';

export function redisOptions(role: RedisRole, prefix: string): Record<string, unknown> {
  return {
    connectionName: `${prefix}:${role}`,
    retryStrategy: (times: number) => backoffDelay(times),
    maxRetriesPerRequest: role === 'workers' ? null : 1,
    enableOfflineQueue: role === 'workers',
    // ioredis arms this timer even when it disconnects an already-closed socket, and nothing
    // clears it then: a process that closes during an outage would linger for its length (2 s by default).
    disconnectTimeout: 200,
  };
}

/** Resolves once the client is connected, or rejects after `ms`. */
export function whenReady(client: RedisClient, ms: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.removeListener('ready', onReady);
      reject(new Error(`Redis did not become ready within ${ms} ms (status: ${client.status})`));
    }, ms);
    client.once('ready', onReady);
  });
}

/** Quits politely when connected; otherwise drops the connection and stops reconnecting. */
export async function closeClient(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // Fall through to a hard disconnect.
    }
  }
  client.disconnect();
}
