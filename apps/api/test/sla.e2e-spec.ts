import { describe, expect, it } from '@jest/globals';
import { Api } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';

const HOUR = 3_600_000;

/** The clock starts on Monday 2026-11-02 09:00 in Shanghai (see the test app). */
describe('SLA deadlines over HTTP', () => {
  let t: TestApp;
  let api: Api;
  useTestApp((app) => {
    t = app;
    api = new Api(app);
  });

  it('shows the accept clock of a new case, due one working day later', async () => {
    const filed = await api.file({ kind: 'dispute' });
    const detail = await api.detail('hd-dg-1.coordinator', filed.id);
    expect(detail.deadlines).toEqual([{ clock: 'accept', dueAt: '2026-11-03T09:00:00+08:00', state: 'running' }]);
  });

  it('counts working days past a weekend, and meets the accept clock on acceptance while the resolve clock starts', async () => {
    t.advance(4 * 24 * HOUR); // Friday 2026-11-06 09:00
    const filed = await api.file({ kind: 'risk' });
    const accepted = await api.must('hd-dg-1.coordinator', filed.id, 'accept');
    const detail = await api.detail('hd-dg-1.coordinator', accepted.id);
    expect(detail.deadlines).toEqual([
      { clock: 'accept', dueAt: '2026-11-09T09:00:00+08:00', state: 'met' },
      // risk: resolve within 1 working day; Friday 09:00 → Monday 09:00
      { clock: 'resolve', dueAt: '2026-11-09T09:00:00+08:00', state: 'running' },
    ]);
  });

  it('lists a case whose running clock is past due under overdue=true, and not before', async () => {
    const filed = await api.file({ kind: 'grievance', title: '逾期测试' });
    await api.caughtUp(filed.position);
    const overdue = async () =>
      (await api.get('hd-dg-1.coordinator', `/api/v1/cases?overdue=true&q=${encodeURIComponent('逾期测试')}`)).body.items.map((c: { id: string }) => c.id);
    expect(await overdue()).not.toContain(filed.id);
    t.advance(5 * 24 * HOUR);
    expect(await overdue()).toContain(filed.id);
    t.advance(-5 * 24 * HOUR);
  });

  it('lets a leader extend a running clock by working days, with the reason in the record', async () => {
    const filed = await api.file({ kind: 'dispute' });
    await api.must('hd-dg-1.coordinator', filed.id, 'accept');
    const before = (await api.detail('hd-dg.leader', filed.id)).deadlines as { clock: string; dueAt: string }[];
    const resolveDue = before.find((d) => d.clock === 'resolve')!.dueAt;
    await api.must('hd-dg.leader', filed.id, 'extend-deadline', { clock: 'resolve', workingDays: 2, reason: '需协调多个部门' });
    const after = (await api.detail('hd-dg.leader', filed.id)).deadlines as { clock: string; dueAt: string }[];
    const moved = after.find((d) => d.clock === 'resolve')!.dueAt;
    expect(Date.parse(moved)).toBeGreaterThan(Date.parse(resolveDue));
    const history = (await api.get('auditor', `/api/v1/cases/${filed.id}/history`)).body.events;
    expect(history.at(-1)).toMatchObject({ type: 'DeadlineExtended', data: { clock: 'resolve', workingDays: 2, reason: '需协调多个部门' } });
    // The accept clock has stopped: it cannot be extended.
    const refused = await api.act('hd-dg.leader', filed.id, 'extend-deadline', { clock: 'accept', workingDays: 1, reason: '无' });
    expect(refused.status).toBe(409);
  });

  it('shows the clocks as they stood at an earlier revision', async () => {
    const filed = await api.file({ kind: 'dispute' });
    await api.must('hd-dg-1.coordinator', filed.id, 'accept');
    const then = (await api.get('auditor', `/api/v1/cases/${filed.id}/state?revision=0`)).body;
    expect(then.state.deadlines).toEqual([expect.objectContaining({ clock: 'accept', state: 'running' })]);
  });
});
