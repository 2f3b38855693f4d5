import { describe, expect, it } from '@jest/globals';
import { useTestApp, type TestApp } from './support/test-app.js';

describe('HTTP API smoke', () => {
  let t: TestApp;
  useTestApp((app) => {
    t = app;
  });

  it('logs in, files a case and reads it back with its allowed actions', async () => {
    const clerk = await t.token('hd-dg-1.clerk');
    const filed = await t
      .http()
      .post('/api/v1/cases')
      .set('Authorization', `Bearer ${clerk}`)
      .send({ kind: 'dispute', title: '停车位纠纷', description: '业主与物业争执', channel: 'walk_in', unitId: 'hd-dg-1', filer: { name: '张三', phone: '13812345678' } })
      .expect(201);
    expect(filed.body).toMatchObject({ status: 'filed', revision: 0 });

    const coordinator = await t.token('hd-dg-1.coordinator');
    const detail = await t.http().get(`/api/v1/cases/${filed.body.id}`).set('Authorization', `Bearer ${coordinator}`).expect(200);
    expect(detail.body.allowedActions).toEqual(expect.arrayContaining(['accept', 'reject', 'escalate']));
    expect(detail.body.filer.phone).toBe('13812345678');

    const leader = await t.token('hd.leader');
    const asLeader = await t.http().get(`/api/v1/cases/${filed.body.id}`).set('Authorization', `Bearer ${leader}`).expect(200);
    expect(asLeader.body.filer.phone).toBe('138****5678');
  });
});
