import { describe, expect, it } from '@jest/globals';
import { ErrorReporter, asError, backoffDelay } from './error-reporter.js';
import { isUnavailable } from './postgres-jobs-pool.js';

describe('ErrorReporter', () => {
  function reporter(perSecond = 3) {
    let now = 1_000_000;
    const seen: string[] = [];
    const errors = new ErrorReporter((source, error) => seen.push(`${source}: ${error.message}`), perSecond, () => now);
    return { errors, seen, advance: (ms: number) => (now += ms) };
  }

  it('reports each error object once, however many listeners it reaches', () => {
    const { errors, seen } = reporter();
    const error = new Error('connect ECONNREFUSED');
    errors.report('redis:workers', error);
    errors.report('worker:sla', error);
    errors.report('queue:sla', error);
    expect(seen).toEqual(['redis:workers: connect ECONNREFUSED']);
  });

  it('reports at most `perSecond` errors a second per source and summarises the rest', () => {
    const { errors, seen, advance } = reporter(3);
    for (let i = 1; i <= 10; i++) errors.report('postgres', new Error(`failure ${i}`));
    errors.report('worker:sla', new Error('other source'));
    expect(seen).toEqual(['postgres: failure 1', 'postgres: failure 2', 'postgres: failure 3', 'worker:sla: other source']);

    advance(1_000);
    errors.report('postgres', new Error('failure 11'));
    expect(seen.slice(4)).toEqual(['postgres: 7 more error(s) from postgres were not reported (at most 3 a second)', 'postgres: failure 11']);
  });

  it('summarises what is left at flush', () => {
    const { errors, seen } = reporter(1);
    errors.report('postgres', new Error('a'));
    errors.report('postgres', new Error('b'));
    errors.flush();
    expect(seen).toEqual(['postgres: a', 'postgres: 1 more error(s) from postgres were not reported (at most 1 a second)']);
  });

  it('never throws, whatever the sink does', () => {
    const errors = new ErrorReporter(() => {
      throw new Error('sink broke');
    });
    expect(() => errors.report('postgres', new Error('x'))).not.toThrow();
  });

  it('turns anything thrown into an error', () => {
    expect(asError('text').message).toBe('text');
    const foreign = { message: 'from another realm', name: 'Error' };
    expect(asError(foreign)).toBe(foreign);
  });
});

describe('backoffDelay', () => {
  it('doubles from 250 ms and stays at 2 s', () => {
    expect([1, 2, 3, 4, 5, 50, 10_000].map((attempt) => backoffDelay(attempt))).toEqual([250, 500, 1_000, 2_000, 2_000, 2_000, 2_000]);
  });
});

describe('isUnavailable (PostgreSQL errors)', () => {
  const withCode = (code?: string) => Object.assign(new Error('x'), code === undefined ? {} : { code });

  it.each([
    ['a refused connection', 'ECONNREFUSED'],
    ['a host that does not resolve', 'ENOTFOUND'],
    ['a broken pipe', 'EPIPE'],
    ['a terminated connection (no code)', undefined],
    ['a database that does not exist', '3D000'],
    ['a refused login', '28P01'],
    ['a connection failure', '08006'],
    ['too many connections', '53300'],
    ['a server shutting down', '57P01'],
    ['a server starting up', '57P03'],
    ['a missing BullMQ table', '42P01'],
  ])('%s: unavailable', (_what, code) => {
    expect(isUnavailable(withCode(code))).toBe(true);
  });

  it.each([
    ["BullMQ's own finish error (lock lost)", 'BM001'],
    ['a unique violation', '23505'],
    ['a serialization failure', '40001'],
  ])('%s: not unavailable', (_what, code) => {
    expect(isUnavailable(withCode(code))).toBe(false);
  });
});
