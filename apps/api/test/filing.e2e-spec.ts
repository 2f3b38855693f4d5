import { describe, expect, it } from '@jest/globals';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { Api, expectError, expectFieldError, filing, PHONE } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';

describe('filing a case', () => {
  let t: TestApp;
  let api: Api;
  useTestApp((app) => {
    t = app;
    api = new Api(app);
  });

  const caseCount = async () => (await t.engine.pool.query<{ count: number }>("SELECT count(DISTINCT stream_id)::int AS count FROM events WHERE stream_id LIKE 'case-%'")).rows[0]!.count;

  it('answers 201 with { id, number, status, revision, position } and records the filing as given', async () => {
    const response = await api.post('hd-dg-1.clerk', '/api/v1/cases', filing({ parties: [{ name: '李四', role: '物业' }], location: { address: '幸福小区3号楼', lat: 34.1, lng: 108.9 }, occurredAt: '2026-11-01T20:00:00+08:00' }));
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      number: expect.stringMatching(/^MY-2026-\d+$/),
      status: 'filed',
      revision: 0,
      position: expect.any(Number),
    });
    expect(response.body.position).toBeGreaterThan(0);

    const detail = await api.detail('hd-dg-1.clerk', response.body.id);
    expect(detail).toMatchObject({
      id: response.body.id,
      number: response.body.number,
      kind: 'dispute',
      title: '小区停车位纠纷',
      status: 'filed',
      unitId: 'hd-dg-1',
      filedUnitId: 'hd-dg-1',
      urgency: 'normal',
      channel: 'walk_in',
      filer: { name: '张三', phone: PHONE, anonymous: false },
      parties: [{ name: '李四', role: '物业' }],
      location: { address: '幸福小区3号楼', lat: 34.1, lng: 108.9 },
      revision: 0,
      supervised: false,
      assigneeId: null,
    });
    expect(Date.parse(detail.createdAt as string)).toBe(t.now().getTime());
  });

  it('gives every case a unique number and its own id', async () => {
    const filed = await Promise.all([1, 2, 3, 4, 5].map(() => api.file()));
    expect(new Set(filed.map((c) => c.number)).size).toBe(5);
    expect(new Set(filed.map((c) => c.id)).size).toBe(5);
  });

  it('lets a coordinator file too, in a unit below their own, and files visits with their reason', async () => {
    const byCoordinator = await api.file({ unitId: 'hd-dg-1-g2', urgency: 'urgent' }, 'hd-dg.coordinator');
    expect(await api.detail('hd-dg.coordinator', byCoordinator.id)).toMatchObject({ unitId: 'hd-dg-1-g2', urgency: 'urgent' });
    const visit = await api.file({ kind: 'visit', visitReason: 'hospital', channel: 'visit' });
    expect(await api.detail('hd-dg-1.clerk', visit.id)).toMatchObject({ kind: 'visit', visitReason: 'hospital' });
    const anonymous = await api.file({ filer: { anonymous: true } });
    expect(await api.detail('hd-dg-1.clerk', anonymous.id)).toMatchObject({ filer: { anonymous: true, phone: null } });
  });

  const without = (field: string) => {
    const body = filing();
    delete body[field];
    return body;
  };

  it.each([
    ['a missing kind', without('kind'), 'kind'],
    ['a missing title', without('title'), 'title'],
    ['a missing description', without('description'), 'description'],
    ['a missing channel', without('channel'), 'channel'],
    ['a missing unitId', without('unitId'), 'unitId'],
    ['a missing filer', without('filer'), 'filer'],
    ['an unknown field', filing({ priority: 'high' }), 'priority'],
    ['an unknown nested field', filing({ filer: { name: '张三', phone: PHONE, email: 'a@b.c' } }), 'filer.email'],
    ['a title over 200 characters', filing({ title: '标'.repeat(201) }), 'title'],
    ['an empty title', filing({ title: '' }), 'title'],
    ['a blank title', filing({ title: '   ' }), 'title'],
    ['a title that is not text', filing({ title: 42 }), 'title'],
    ['a description over 5000 characters', filing({ description: '述'.repeat(5001) }), 'description'],
    ['an unknown kind', filing({ kind: 'complaint' }), 'kind'],
    ['an unknown channel', filing({ channel: 'fax' }), 'channel'],
    ['an unknown urgency', filing({ urgency: 'asap' }), 'urgency'],
    ['a phone that is not a phone number', filing({ filer: { name: '张三', phone: 'call me' } }), 'filer.phone'],
    ['a filer without a name who is not anonymous', filing({ filer: { phone: PHONE } }), 'filer.name'],
    ['a visit without visitReason', filing({ kind: 'visit' }), 'visitReason'],
    ['a visitReason on a non-visit', filing({ kind: 'dispute', visitReason: 'hospital' }), 'visitReason'],
    ['an unknown visitReason', filing({ kind: 'visit', visitReason: 'birthday' }), 'visitReason'],
    ['a party without a role', filing({ parties: [{ name: '李四' }] }), 'parties.0.role'],
    ['occurredAt without an offset', filing({ occurredAt: '2026-11-01T20:00:00' }), 'occurredAt'],
    ['a latitude out of range', filing({ location: { address: '某地', lat: 91 } }), 'location.lat'],
    ['an expectedRevision (filing takes none)', filing({ expectedRevision: 0 }), 'expectedRevision'],
  ])('answers 400 naming the field for %s, and writes nothing', async (_, body, field) => {
    const events = await api.eventCount();
    const response = await api.post('hd-dg-1.clerk', '/api/v1/cases', body);
    expectFieldError(response, field);
    expect(await api.eventCount()).toBe(events);
  });

  it('accepts a title of exactly 200 and a description of exactly 5000 characters', async () => {
    await api.file({ title: '标'.repeat(200), description: '述'.repeat(5000) });
  });

  it('answers 400 to malformed JSON, naming the body', async () => {
    const response = await t
      .http()
      .post('/api/v1/cases')
      .set('Authorization', `Bearer ${await t.token('hd-dg-1.clerk')}`)
      .set('Content-Type', 'application/json')
      .send('{"kind": "dispute", "title": ');
    expectError(response, 400);
    expect(response.body.details).toEqual([{ field: 'body', message: expect.stringMatching(/JSON/) }]);
  });

  it.each([
    ['a corrupt gzip body', 'gzip', 400],
    ['a corrupt brotli body', 'br', 400],
    ['an unsupported content encoding', 'compress', 415],
  ])('answers %s with %i, not a server error', async (_, encoding, status) => {
    const response = await t
      .http()
      .post('/api/v1/cases')
      .set({ Authorization: `Bearer ${await t.token('hd-dg-1.clerk')}`, 'Content-Type': 'application/json', 'Content-Encoding': encoding })
      .send(JSON.stringify(filing()));
    expectError(response, status);
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('accepts a %s-encoded body', async (encoding, encode) => {
    const response = await t
      .http()
      .post('/api/v1/cases')
      .set({ Authorization: `Bearer ${await t.token('hd-dg-1.clerk')}`, 'Content-Type': 'application/json', 'Content-Encoding': encoding })
      .serialize((body: Buffer) => body as unknown as string) // as it is: superagent would write a Buffer out as JSON
      .send(encode(Buffer.from(JSON.stringify(filing({ title: `压缩 ${encoding}` })))));
    expect(response.status).toBe(201);
    expect((await api.detail('hd-dg-1.clerk', response.body.id)).title).toBe(`压缩 ${encoding}`);
  });

  it.each([
    ['text/plain', 'kind=dispute'],
    ['application/x-www-form-urlencoded', 'kind=dispute&title=x'],
    ['application/json; charset=latin1', JSON.stringify(filing())],
  ])('answers a body of type %s with 415, and writes nothing', async (type, body) => {
    const events = await api.eventCount();
    const response = await t.http().post('/api/v1/cases').set({ Authorization: `Bearer ${await t.token('hd-dg-1.clerk')}`, 'Content-Type': type }).send(body);
    expectError(response, 415);
    expect(await api.eventCount()).toBe(events);
  });

  it('answers 413 to a body over 1 MB, and writes nothing', async () => {
    const events = await api.eventCount();
    const response = await api.post('hd-dg-1.clerk', '/api/v1/cases', filing({ description: 'x'.repeat(1_100_000) }));
    expectError(response, 413);
    expect(await api.eventCount()).toBe(events);
  });

  it.each([
    ['hd-dg-1.clerk', 'hx-xh-1', 'another county'],
    ['hd-dg-1.clerk', 'hd-dg', 'the unit above'],
    ['hx-xh-1.clerk', 'hd-dg-1', 'another county'],
    ['hd-dg-1.coordinator', 'hd-ll-1', 'a sibling subtree'],
  ])('answers 403 when %s files at %s (%s), and writes nothing', async (user, unitId) => {
    const events = await api.eventCount();
    const response = await api.post(user, '/api/v1/cases', filing({ unitId }));
    expectError(response, 403, 'forbidden');
    expect(response.body.message).toMatch(/outside your scope/);
    expect(await api.eventCount()).toBe(events);
  });

  it.each(['auditor', 'admin', 'hd-dg.leader', 'city.leader'])('answers 403 when %s (a role that does not file) files', async (user) => {
    const events = await api.eventCount();
    const response = await api.post(user, '/api/v1/cases', filing({ unitId: 'hd-dg-1' }));
    expectError(response, 403, 'forbidden');
    expect(response.body.message).toMatch(/may not file/);
    expect(await api.eventCount()).toBe(events);
  });

  it('answers 404 for an unknown unit, and writes nothing', async () => {
    const events = await api.eventCount();
    const response = await api.post('city.coordinator', '/api/v1/cases', filing({ unitId: 'no-such-unit' }));
    expectError(response, 404);
    expect(response.body.message).toContain('no-such-unit');
    expect(await api.eventCount()).toBe(events);
  });

  it('leaves the case list as it was after every kind of rejected filing', async () => {
    const filed = await api.file({ title: '唯一的登记' });
    await api.caughtUp(filed.position);
    const listBefore = await api.get('city.coordinator', '/api/v1/cases?pageSize=100');
    for (const body of [filing({ title: '' }), filing({ unitId: 'hx-xh-1' }), filing({ unitId: 'nowhere' }), filing({ kind: 'visit' })]) {
      expect((await api.post('hd-dg-1.clerk', '/api/v1/cases', body)).status).toBeGreaterThanOrEqual(400);
    }
    // A later filing is projected after anything the rejected ones could have written.
    const marker = await api.file({ title: '之后的登记' });
    await api.caughtUp(marker.position);
    const listAfter = await api.get('city.coordinator', '/api/v1/cases?pageSize=100');
    expect(listAfter.body.total).toBe(listBefore.body.total + 1);
    expect((listAfter.body.items as { id: string }[]).map((item) => item.id).filter((id) => id !== marker.id)).toEqual(
      (listBefore.body.items as { id: string }[]).map((item) => item.id),
    );
  });

  describe('Idempotency-Key', () => {
    it('answers a retry with the same key and body with the first response, filing once', async () => {
      const body = filing({ title: '幂等登记一' });
      const cases = await caseCount();
      const first = await api.post('hd-dg-1.clerk', '/api/v1/cases', body, { 'Idempotency-Key': 'key-retry-1' });
      expect(first.status).toBe(201);
      const retry = await api.post('hd-dg-1.clerk', '/api/v1/cases', body, { 'Idempotency-Key': 'key-retry-1' });
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(await caseCount()).toBe(cases + 1);
    });

    it('files once when 10 requests with one key race, and answers all of them alike', async () => {
      const body = filing({ title: '幂等并发登记' });
      const cases = await caseCount();
      const token = await t.token('hd-dg-1.clerk');
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => t.http().post('/api/v1/cases').set({ Authorization: `Bearer ${token}`, 'Idempotency-Key': 'key-race' }).send(body)),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));
      for (const response of responses) expect(response.body).toEqual(responses[0]!.body);
      expect(await caseCount()).toBe(cases + 1);
      const history = await api.get('hd-dg-1.clerk', `/api/v1/cases/${responses[0]!.body.id}/history`);
      expect(history.body.events).toHaveLength(1);
    });

    it('answers 409 idempotency_key_reused for the same key with another body, and files nothing', async () => {
      const first = await api.post('hd-dg-1.clerk', '/api/v1/cases', filing({ title: '幂等登记二' }), { 'Idempotency-Key': 'key-reused' });
      expect(first.status).toBe(201);
      const cases = await caseCount();
      const reused = await api.post('hd-dg-1.clerk', '/api/v1/cases', filing({ title: '另一件事' }), { 'Idempotency-Key': 'key-reused' });
      expectError(reused, 409, 'idempotency_key_reused');
      expect(await caseCount()).toBe(cases);
    });

    it('keeps keys apart per user, and files anew without a key', async () => {
      const body = filing({ title: '同键不同人' });
      const clerk = await api.post('hd-dg-1.clerk', '/api/v1/cases', body, { 'Idempotency-Key': 'shared-key' });
      const coordinator = await api.post('hd-dg-1.coordinator', '/api/v1/cases', body, { 'Idempotency-Key': 'shared-key' });
      expect(clerk.status).toBe(201);
      expect(coordinator.status).toBe(201);
      expect(coordinator.body.id).not.toBe(clerk.body.id);
      const a = await api.file({ title: '无键登记' });
      const b = await api.file({ title: '无键登记' });
      expect(a.id).not.toBe(b.id);
    });

    it('lets a refused filing be corrected and retried with the same key', async () => {
      const refused = await api.post('hd-dg-1.clerk', '/api/v1/cases', filing({ kind: 'visit' }), { 'Idempotency-Key': 'key-fix' });
      expectFieldError(refused, 'visitReason');
      const fixed = await api.post('hd-dg-1.clerk', '/api/v1/cases', filing({ kind: 'visit', visitReason: 'bereavement' }), { 'Idempotency-Key': 'key-fix' });
      expect(fixed.status).toBe(201);
    });
  });
});
