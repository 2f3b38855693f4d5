/**
 * The BullMQ backends a test suite runs on: PostgreSQL always, Redis when REDIS_URL is set. With
 * REQUIRE_REDIS=1 (as in CI) a missing REDIS_URL fails the suite instead of skipping Redis.
 * Each entry is [name, redisUrl | undefined], for describe.each.
 */
export function jobBackends(suite: string): [string, string | undefined][] {
  const redisUrl = process.env.REDIS_URL;
  if (redisUrl) return [['PostgreSQL', undefined], ['Redis', redisUrl]];
  if (process.env.REQUIRE_REDIS === '1') throw new Error(`${suite}: REQUIRE_REDIS=1 but REDIS_URL is not set; the Redis backend must be tested`);
  console.warn(`[test] REDIS_URL not set: ${suite} runs on the PostgreSQL backend only (Redis skipped)`);
  return [['PostgreSQL', undefined]];
}
