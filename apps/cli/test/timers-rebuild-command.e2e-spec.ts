import { describe, expect, it, jest } from '@jest/globals';
import { SLA_QUEUE, type SlaTimerJob } from '#sla';
import { eventually } from '#testing';
import { Api } from '../../api/test/support/api.js';
import type { TestApp } from '../../api/test/support/test-app.js';
import { useCliApp, type CliApp } from './support/run-cli.js';

jest.setTimeout(120_000);

/** `timers:rebuild`, run as an operator would after the queue store lost its jobs, while the server runs on. */
describe('the timers:rebuild command', () => {
  let t: TestApp;
  let api: Api;
  let cli: CliApp['cli'];
  const rowsOf = async (caseId: string) =>
    (await t.engine.pool.query<{ kind: string; clock: string; due_at: Date }>('SELECT kind, clock, due_at FROM sla_timers WHERE case_id = $1 ORDER BY due_at', [caseId])).rows;

  useCliApp((app) => void ({ t, api, cli } = app));

  it('writes the rows of every running clock from the log again and announces their ticks; the timers then fire, once each', async () => {
    const filed = await api.file({ kind: 'dispute', title: '计时器重建' });
    await api.caughtUp(filed.position);
    const written = await rowsOf(filed.id);
    expect(written.map((row) => [row.kind, row.clock])).toEqual([
      ['warn', 'accept'],
      ['breach', 'accept'],
    ]);
    // The queue store and the rows are both lost.
    const queue = t.engine.queues.queue<SlaTimerJob>(SLA_QUEUE);
    await queue.obliterate({ force: true });
    await t.engine.pool.query('DELETE FROM sla_timers');

    const run = await cli('timers:rebuild');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // (The command runs on the real clock, the app on the test's: where their ticks wait depends on both.)
    expect(run.stdout).toMatch(/^timers rebuilt from the log: 2 pending timers of 1 cases written, 2 ticks announced; the queue holds \d+ ticks waiting for their second, \d+ jobs due now$/m);
    expect(await rowsOf(filed.id)).toEqual(written);

    // Once the app's clock passes the deadline, the timers fire, each once. (Both are late: should
    // two ticks take one each, the warning may come second, and the domain then refuses it.)
    t.advance(2 * 24 * 3_600_000);
    await eventually(async () => ((await rowsOf(filed.id)).length === 0 ? true : undefined));
    const { events } = (await api.get('auditor', `/api/v1/cases/${filed.id}/history`)).body as { events: { type: string }[] };
    expect(events.filter((event) => event.type === 'SlaBreached')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'SlaWarningRaised').length).toBeLessThanOrEqual(1);
    t.advance(-2 * 24 * 3_600_000);
  });

  it('explains itself, and refuses arguments', async () => {
    const help = await cli('timers:rebuild', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run cli -- timers:rebuild');
    const refused = await cli('timers:rebuild', 'now');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('unexpected argument "now"');
  });
});
