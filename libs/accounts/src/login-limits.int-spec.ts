import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { LoginThrottledError } from './errors.js';
import { LoginLimits, migrateLoginLimits, type LoginLimitsOptions } from './login-limits.js';
import { migrateAccounts } from './users.js';

const T0 = Date.parse('2026-12-01T09:00:00+08:00');
const sec = (s: number) => T0 + s * 1000;
const A = '198.51.100.1';
const B = '198.51.100.2';

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'no error',
    (error: unknown) => error,
  );
}

async function retryAfter(promise: Promise<unknown>): Promise<number> {
  const error = await errorOf(promise);
  expect(error).toBeInstanceOf(LoginThrottledError);
  return (error as LoginThrottledError).retryAfterSeconds;
}

describe('LoginLimits', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let otherPool: pg.Pool;
  let limits: LoginLimits;
  /** Small limits, so that each can be reached in a few steps. */
  const small: LoginLimitsOptions = {
    pair: { maxFailures: 3, windowSeconds: 60 },
    address: { maxFailures: 5, windowSeconds: 120 },
    username: { maxFailures: 7, windowSeconds: 300 },
  };

  const rows = async () =>
    (await pool.query<{ username: string | null; address: string }>('SELECT username, address FROM login_attempts ORDER BY id')).rows.map(
      (row) => `${row.username ?? '-'}@${row.address}`,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 12 });
    otherPool = new pg.Pool({ connectionString: db.url, max: 6 });
    await migrateLoginLimits(pool);
  });
  beforeEach(async () => {
    await pool.query('DELETE FROM login_attempts');
    // A fresh instance: each remembers the limits it has seen reached, which the DELETE above does not undo.
    limits = new LoginLimits(pool, small);
  });
  afterAll(async () => {
    await pool?.end();
    await otherPool?.end();
    await db?.drop();
  });

  it('has a table of its own, replaces the per-username table, and migrates idempotently, also concurrently', async () => {
    await Promise.all([migrateLoginLimits(pool), migrateLoginLimits(otherPool), migrateAccounts(pool)]);
    const { rows: tables } = await pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((r) => r.table_name)).toEqual(['account_credentials', 'ended_sessions', 'login_attempts', 'schema_migrations', 'users']);
    const { rows: applied } = await pool.query("SELECT version FROM schema_migrations WHERE library = 'login-limits'");
    expect(applied).toEqual([{ version: 1 }]);
    const { rows: indexes } = await pool.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename = 'login_attempts' ORDER BY indexname");
    expect(indexes.map((r) => r.indexname)).toEqual([
      'login_attempts_address',
      'login_attempts_failed_at',
      'login_attempts_pair',
      'login_attempts_pkey',
      'login_attempts_username',
    ]);
  });

  it('uses the limits of API.md by default: 5 per pair in 15 min, 20 per address in 10 min, 50 per username in an hour', async () => {
    const defaults = new LoginLimits(pool);
    for (let i = 0; i < 5; i++) await defaults.book('alice', A, sec(i));
    expect(await retryAfter(defaults.book('alice', A, sec(10)))).toBe(15 * 60 - 10);

    await pool.query('DELETE FROM login_attempts');
    for (let i = 0; i < 20; i++) await defaults.book(`user${i}`, A, sec(i));
    expect(await retryAfter(defaults.book('bob', A, sec(30)))).toBe(10 * 60 - 30);

    await pool.query('DELETE FROM login_attempts');
    for (let i = 0; i < 50; i++) await defaults.book('carol', `203.0.113.${i}`, sec(i));
    expect(await retryAfter(defaults.book('carol', '192.0.2.99', sec(60)))).toBe(3600 - 60);
  });

  it('refuses a pair at its limit until the oldest counted failure leaves the window, and books nothing while refusing', async () => {
    for (const s of [0, 10, 20]) await limits.book('alice', A, sec(s));
    expect(await retryAfter(limits.book('alice', A, sec(30)))).toBe(30);
    expect(await retryAfter(limits.book('alice', A, sec(59)))).toBe(1);
    expect(await rows()).toHaveLength(3);
    // The same user from another address, and another user from this address, go on.
    await limits.book('alice', B, sec(30));
    await limits.book('bob', A, sec(31));
    await pool.query('DELETE FROM login_attempts WHERE username = $1', ['bob']);
    // At 60 s the failure at 0 s has left the window: one more try.
    await limits.book('alice', A, sec(60));
    expect(await retryAfter(limits.book('alice', A, sec(61)))).toBe(9);
  });

  it('refuses an address at its limit over all usernames, for every username, with Retry-After for that limit', async () => {
    for (let i = 0; i < 5; i++) await limits.book(`user${i}`, A, sec(i * 10));
    expect(await retryAfter(limits.book('someone-else', A, sec(50)))).toBe(70);
    expect(await retryAfter(limits.book(null, A, sec(50)))).toBe(70);
    // Another address is not affected, not even for the same usernames.
    await limits.book('user0', B, sec(50));
    await limits.book('user1', B, sec(50));
  });

  it('refuses a username at its limit over all addresses, from any address', async () => {
    for (let i = 0; i < 7; i++) await limits.book('alice', `203.0.113.${i}`, sec(i * 10));
    expect(await retryAfter(limits.book('alice', '192.0.2.200', sec(100)))).toBe(200);
    // The addresses it came from are free for other usernames.
    await limits.book('bob', '203.0.113.0', sec(100));
  });

  it('answers the longest Retry-After when several limits are reached', async () => {
    // Pair: 3 in 60 s, reached at 0..2 s, frees at 60 s. Address: 5 in 120 s, reached at 3..4 s by two other users, frees at 120 s.
    for (let i = 0; i < 3; i++) await limits.book('alice', A, sec(i));
    for (let i = 3; i < 5; i++) await limits.book(`other${i}`, A, sec(i));
    expect(await retryAfter(limits.book('alice', A, sec(10)))).toBe(110);
    // The pair frees first, but the address holds: still refused.
    expect(await retryAfter(limits.book('alice', A, sec(61)))).toBe(59);
    await limits.book('alice', A, sec(120));
  });

  it('refuses a limit it has seen reached without asking the database again, until it frees', async () => {
    for (let i = 0; i < 3; i++) await limits.book('alice', A, sec(i));
    expect(await retryAfter(limits.book('alice', A, sec(3)))).toBe(57);
    const queries = jest.spyOn(pool, 'connect');
    try {
      expect(await retryAfter(limits.book('alice', A, sec(30)))).toBe(30);
      expect(queries).not.toHaveBeenCalled();
    } finally {
      queries.mockRestore();
    }
    // Once it frees (the pair's oldest failure has left the window), the database decides again and books it.
    await limits.book('alice', A, sec(60));
    expect(await rows()).toHaveLength(4);
  });

  it('books exactly the limit of 30 parallel wrong guesses on one pair, across API replicas', async () => {
    const defaults = new LoginLimits(pool);
    const replica = new LoginLimits(otherPool);
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => errorOf((i % 2 === 0 ? defaults : replica).book('alice', A, sec(1)))));
    expect(outcomes.filter((outcome) => outcome instanceof LoginThrottledError)).toHaveLength(25);
    expect(await rows()).toEqual(Array.from({ length: 5 }, () => `alice@${A}`));
  });

  it('books exactly the address limit of parallel guesses spread over many usernames', async () => {
    const defaults = new LoginLimits(pool);
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => errorOf(defaults.book(`user${i}`, A, sec(1)))));
    expect(outcomes.filter((outcome) => outcome instanceof LoginThrottledError)).toHaveLength(10);
    expect(await rows()).toHaveLength(20);
  });

  it('clears only the pair on a success: the username elsewhere and the address for others keep their failures', async () => {
    await limits.book('alice', A, sec(0));
    await limits.book('alice', B, sec(1));
    await limits.book('bob', A, sec(2));
    await limits.book(null, A, sec(3));
    const booking = await limits.book('alice', A, sec(4));
    await limits.clearPair(booking);
    expect(await rows()).toEqual([`alice@${B}`, `bob@${A}`, `-@${A}`]);
  });

  it('withdraws only the booking itself when no failure may be cleared', async () => {
    await limits.book('alice', A, sec(0));
    const booking = await limits.book('alice', A, sec(1));
    await limits.withdraw(booking);
    expect(await rows()).toEqual([`alice@${A}`]);
  });

  it('counts a name no account can have for the address only', async () => {
    for (let i = 0; i < 5; i++) await limits.book(null, A, sec(i));
    expect(await rows()).toEqual(Array.from({ length: 5 }, () => `-@${A}`));
    expect(await retryAfter(limits.book(null, A, sec(5)))).toBe(115);
    await limits.book(null, B, sec(5));
  });

  it('counts an IPv4 client written as IPv6 as the IPv4 address, and an IPv6 client by its /64', async () => {
    await limits.book('alice', '::ffff:198.51.100.1', sec(0));
    await limits.book('alice', '2001:db8:1:2::1', sec(1));
    await limits.book('alice', '2001:db8:1:2:ffff::9', sec(2));
    await limits.book('alice', '2001:0db8:0001:0002::abcd', sec(3));
    expect(await retryAfter(limits.book('alice', '2001:db8:1:2:0:0:0:5', sec(4)))).toBe(57);
    expect(await rows()).toEqual([`alice@${A}`, ...Array.from({ length: 3 }, () => 'alice@2001:db8:1:2::/64')]);
    await limits.book('alice', '2001:db8:1:3::1', sec(4));
  });

  describe('pruning', () => {
    it('prunes every failure older than the longest window, and counts them', async () => {
      // The longest window is the username's, 300 s.
      await limits.book('alice', A, sec(0));
      await limits.book('bob', B, sec(100));
      await limits.book(null, '192.0.2.1', sec(200));
      expect(await limits.prune(sec(300))).toBe(1);
      expect(await limits.prune(sec(450))).toBe(1);
      expect(await rows()).toEqual(['-@192.0.2.1']);
    });

    it('prunes the old failures of the username and address a booking touches, in its transaction', async () => {
      const rarely = new LoginLimits(pool, { ...small, sweepEverySeconds: 24 * 3600 });
      await rarely.book('alice', B, sec(0));
      await rarely.book('bob', A, sec(0));
      await rarely.book('carol', '192.0.2.1', sec(0));
      // The sweep ran with the first booking; the next is a day away. These two go with alice and A.
      await rarely.book('alice', A, sec(400));
      expect(await rows()).toEqual(['carol@192.0.2.1', `alice@${A}`]);
    });

    it('sweeps every old failure with a booking once the last sweep is old enough', async () => {
      const sweeping = new LoginLimits(pool, { ...small, sweepEverySeconds: 600 });
      await sweeping.book('alice', A, sec(0));
      await sweeping.book('bob', B, sec(500));
      // 400 s after the first sweep: no sweep yet, though alice's failure is past 300 s.
      await sweeping.book('carol', '192.0.2.1', sec(400));
      expect(await rows()).toHaveLength(3);
      await sweeping.book('dave', '192.0.2.2', sec(600));
      expect(await rows()).toEqual([`bob@${B}`, 'carol@192.0.2.1', 'dave@192.0.2.2']);
    });

    it('tells a failed sweep and goes on with the login', async () => {
      const problems: unknown[] = [];
      const sweeping = new LoginLimits(pool, { ...small, onSweepError: (error) => problems.push(error) });
      sweeping.prune = () => Promise.reject(new Error('sweep failed'));
      await expect(sweeping.book('alice', A, sec(0))).resolves.toMatchObject({ username: 'alice', address: A });
      expect(problems).toEqual([new Error('sweep failed')]);
      // Not marked as swept: the next booking tries again.
      await sweeping.book('alice', A, sec(1));
      expect(problems).toHaveLength(2);
    });
  });

  it('refuses limits that are not positive integers', () => {
    expect(() => new LoginLimits(pool, { pair: { maxFailures: 0, windowSeconds: 60 } })).toThrow(RangeError);
    expect(() => new LoginLimits(pool, { address: { maxFailures: 5, windowSeconds: 1.5 } })).toThrow(RangeError);
    expect(() => new LoginLimits(pool, { sweepEverySeconds: 0 })).toThrow(RangeError);
  });
});
