import { describe, expect, it } from '@jest/globals';
import { Api, expectError } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';

describe('inbox', () => {
  let t: TestApp;
  let api: Api;
  useTestApp((app) => {
    t = app;
    api = new Api(app);
  });

  /** The case ids in the user's inbox, read with `minPosition` (read-your-writes): it includes the event at `position`. */
  const inbox = async (user: string, position: number) => {
    const response = await api.get(user, `/api/v1/inbox?minPosition=${position}`);
    expect(response.status).toBe(200);
    expect(response.headers['x-minyi-consistency']).toBe('caught-up');
    expect(response.body.total).toBe(response.body.items.length);
    return (response.body.items as { id: string }[]).map((item) => item.id);
  };

  it('needs a token', async () => {
    expectError(await t.http().get('/api/v1/inbox'), 401);
  });

  it('says when a minPosition beyond the log could not be waited for, and takes no other parameter', async () => {
    const response = await api.get('hd-dg-1.coordinator', `/api/v1/inbox?minPosition=${Number.MAX_SAFE_INTEGER}`);
    expect(response.status).toBe(200);
    expect(response.headers['x-minyi-consistency']).toBe('stale');
    // Position 0 comes before every event: nothing to wait for.
    expect((await api.get('hd-dg-1.coordinator', '/api/v1/inbox?minPosition=0')).headers['x-minyi-consistency']).toBe('caught-up');
    expectError(await api.get('hd-dg-1.coordinator', '/api/v1/inbox?minPosition=-1'), 400);
    expectError(await api.get('hd-dg-1.coordinator', '/api/v1/inbox?unit=hd'), 400);
  });

  it('holds a filed case for the clerks and coordinators of its unit, and moves it to the parent unit on escalation', async () => {
    const filed = await api.file({ title: '收件箱上报' });
    expect(await inbox('hd-dg-1.coordinator', filed.position)).toContain(filed.id);
    expect(await inbox('hd-dg-1.clerk', filed.position)).toContain(filed.id);
    expect(await inbox('hd-dg.coordinator', filed.position)).not.toContain(filed.id);
    expect(await inbox('hx-xh-1.coordinator', filed.position)).not.toContain(filed.id);

    const escalated = await api.must('hd-dg-1.coordinator', filed.id, 'escalate');
    expect(await inbox('hd-dg-1.coordinator', escalated.position)).not.toContain(filed.id);
    expect(await inbox('hd-dg.coordinator', escalated.position)).toContain(filed.id);

    const again = await api.must('hd-dg.coordinator', filed.id, 'escalate');
    expect(await inbox('hd-dg.coordinator', again.position)).not.toContain(filed.id);
    expect(await inbox('hd.coordinator', again.position)).toContain(filed.id);
  });

  it('shows leaders the cases awaiting annotation in their subtree, and only while they wait', async () => {
    const waiting = await api.caseIn('awaiting_annotation');
    for (const leader of ['hd-dg.leader', 'hd.leader', 'city.leader']) expect(await inbox(leader, waiting.position)).toContain(waiting.id);
    expect(await inbox('hd-dg-1.coordinator', waiting.position)).not.toContain(waiting.id);
    expect(await inbox('auditor', waiting.position)).not.toContain(waiting.id);

    const elsewhere = await api.file({ unitId: 'hx-xh-1', title: '河西待批示' }, 'hx-xh-1.clerk');
    await api.must('hx-xh-1.coordinator', elsewhere.id, 'accept');
    const requested = await api.must('hx-xh-1.coordinator', elsewhere.id, 'request-annotation');
    expect(await inbox('hd.leader', requested.position)).not.toContain(elsewhere.id);
    expect(await inbox('city.leader', requested.position)).toContain(elsewhere.id);

    const annotated = await api.must('hd.leader', waiting.id, 'annotate', { instruction: '交柳林村办理', assignToUnitId: 'hd-ll-1' });
    expect(await inbox('hd.leader', annotated.position)).not.toContain(waiting.id);
    expect(await inbox('hd-dg-1.coordinator', annotated.position)).not.toContain(waiting.id);
  });

  it('holds a case for the coordinator it is assigned to, wherever it waits in their subtree', async () => {
    const filed = await api.file({ unitId: 'hd-dg-1-g2', title: '网格指派' });
    const accepted = await api.must('hd-dg.coordinator', filed.id, 'accept');
    // It waits on the grid, not on the community above it.
    expect(await inbox('hd-dg-1.coordinator', accepted.position)).not.toContain(filed.id);
    const assigned = await api.must('hd-dg.coordinator', filed.id, 'assign', { assigneeId: await api.userId('hd-dg-1.coordinator') });
    expect(await inbox('hd-dg-1.coordinator', assigned.position)).toContain(filed.id);
  });

  it('lets closed and withdrawn cases leave the inbox, and a reopened one come back', async () => {
    const closed = await api.caseIn('closed');
    const withdrawn = await api.caseIn('withdrawn');
    const open = await api.caseIn('resolved');
    const ids = await inbox('hd-dg-1.coordinator', Math.max(closed.position, withdrawn.position, open.position));
    expect(ids).toContain(open.id);
    expect(ids).not.toContain(closed.id);
    expect(ids).not.toContain(withdrawn.id);

    const reopened = await api.must('hd-dg-1.coordinator', closed.id, 'reopen');
    expect(await inbox('hd-dg-1.coordinator', reopened.position)).toContain(closed.id);
  });

  it('lists the case that has waited longest first', async () => {
    const assignee = await api.userId('hd-dg-1.coordinator');
    const first = await api.file({ unitId: 'hd-dg-1-g1', title: '先到' });
    const second = await api.file({ unitId: 'hd-dg-1-g1', title: '后到' });
    await api.must('hd-dg-1.coordinator', second.id, 'accept');
    await api.must('hd-dg-1.coordinator', second.id, 'assign', { assigneeId: assignee });
    t.advance(60_000);
    await api.must('hd-dg-1.coordinator', first.id, 'accept');
    const last = await api.must('hd-dg-1.coordinator', first.id, 'assign', { assigneeId: assignee });
    const ids = await inbox('hd-dg-1.coordinator', last.position);
    expect(ids.indexOf(second.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
  });
});
