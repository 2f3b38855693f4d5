import { describe, expect, it, jest } from '@jest/globals';
import { Api } from '../../api/test/support/api.js';
import type { TestApp } from '../../api/test/support/test-app.js';
import { useCliApp, type CliApp } from './support/run-cli.js';

jest.setTimeout(120_000);

/** `rebuild`, run as an operator would while the server (here: the test app) keeps running. */
describe('the rebuild command', () => {
  let t: TestApp;
  let api: Api;
  let cli: CliApp['cli'];
  useCliApp((app) => void ({ t, api, cli } = app));

  it('replays the log into fresh read-model tables and swaps them in while the server runs on', async () => {
    const parking = await api.file({ title: '小区停车位纠纷' });
    const lamp = await api.file({ kind: 'suggestion', title: '增设路灯', unitId: 'hd-dg-1-g1' });
    const accepted = await api.must('hd-dg-1.coordinator', parking.id, 'accept');
    await api.caughtUp(Math.max(accepted.position, lamp.position));
    // Damage both read models behind the projections' backs.
    await t.engine.pool.query("UPDATE case_view SET title = '损坏', status = 'rejected'");
    await t.engine.pool.query('DELETE FROM case_stats');

    const run = await cli('rebuild');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^cases: rebuilt from \d+ events in [\d.]+ s \([\d,]+ events\/s\), swapped in case_view, inbox_items, case_notes, case_search$/m);
    expect(run.stdout).toMatch(/^case-stats: rebuilt from \d+ events in .*, swapped in case_stats, case_stats_adoptions$/m);

    expect(await api.detail('hd-dg-1.coordinator', parking.id)).toMatchObject({ title: '小区停车位纠纷', status: 'in_coordination' });
    const listed = await api.get('hd-dg-1.coordinator', '/api/v1/cases?status=in_coordination');
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([parking.id]);
    const { rows } = await t.engine.pool.query('SELECT count(*)::int AS n FROM case_stats');
    expect(rows[0].n).toBe(2);

    // The running server's projections carry on into the swapped-in tables.
    const noted = await api.must('hd-dg-1.coordinator', lamp.id, 'accept');
    const after = await api.get('hd-dg-1.coordinator', `/api/v1/cases?status=in_coordination&minPosition=${noted.position}`);
    expect(after.body.items.map((item: { id: string }) => item.id).sort()).toEqual([parking.id, lamp.id].sort());
  });

  it('names an unknown read model or a bad batch size and exits 2, changing nothing', async () => {
    const unknown = await cli('rebuild', 'cases', 'inbox');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown read model "inbox"; known: cases, case-stats');

    const badBatch = await cli('rebuild', '--batch-size', '0');
    expect(badBatch.code).toBe(2);
    expect(badBatch.stderr).toContain('--batch-size must be a whole number from 1 to 100000, not "0"');

    const help = await cli('rebuild', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run cli -- rebuild [projection ...]');
  });
});
