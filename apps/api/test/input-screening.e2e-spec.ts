import { describe, expect, it } from '@jest/globals';
import { Api, expectError, expectFieldError, filing } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';

/**
 * Input no DTO can accept: text PostgreSQL cannot store, nesting deep enough to overflow the
 * validators, field names every object inherits. Each is a client's mistake: 400 naming the
 * field, never a 5xx, and nothing written.
 */
describe('screening requests before validation', () => {
  let t: TestApp;
  let api: Api;
  useTestApp((app) => {
    t = app;
    api = new Api(app);
  });

  /** Posts JSON exactly as written: an object literal could not hold `__proto__` as a field, nor a lone surrogate once serialized. */
  const postJson = async (username: string, path: string, json: string) =>
    t
      .http()
      .post(path)
      .set({ Authorization: `Bearer ${await t.token(username)}`, 'Content-Type': 'application/json' })
      .send(json);

  it.each([
    ['a NUL in the title', filing({ title: 'a\u0000b' }), 'title'],
    ['a NUL in the filer’s name', filing({ filer: { name: '张\u0000三', phone: '13812345678' } }), 'filer.name'],
    ['a lone surrogate in the description', filing({ description: '反映\ud800问题' }), 'description'],
    ['a NUL in a party’s role', filing({ parties: [{ name: '李四', role: '\u0000' }] }), 'parties.0.role'],
  ])('answers 400 to %s on filing, writes nothing and uses up no case number', async (_, body, field) => {
    const before = await api.file();
    const events = await api.eventCount();
    const response = await postJson('hd-dg-1.clerk', '/api/v1/cases', JSON.stringify(body));
    expectFieldError(response, field);
    expect(await api.eventCount()).toBe(events);
    const after = await api.file();
    const serial = (number: string) => Number(number.split('-').at(-1));
    expect(serial(after.number)).toBe(serial(before.number) + 1);
  });

  it.each([
    ['a NUL', '"a\\u0000b"'],
    ['a lone high surrogate', '"a\\ud800b"'],
    ['a lone low surrogate', '"\\udc00"'],
  ])('answers 400 to %s in a note’s text, and writes nothing', async (_, text) => {
    const filed = await api.file();
    const events = await api.eventCount();
    const response = await postJson('hd-dg-1.coordinator', `/api/v1/cases/${filed.id}/notes`, `{"type":"note","text":${text}}`);
    expectFieldError(response, 'text');
    expect(response.body.details[0].message).toMatch(/NUL|surrogate/);
    expect(await api.eventCount()).toBe(events);
  });

  it('keeps text with characters beyond the basic plane (a surrogate pair) as written', async () => {
    const filed = await api.file({ title: '𠮷野家门前的路灯' });
    expect((await api.detail('hd-dg-1.clerk', filed.id)).title).toBe('𠮷野家门前的路灯');
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])('answers 400 naming %s, a name every object inherits, as an unknown field', async (name) => {
    const filed = await api.file();
    const events = await api.eventCount();
    const response = await postJson('hd-dg-1.coordinator', `/api/v1/cases/${filed.id}/notes`, `{"type":"note","text":"走访","${name}":{"a":1}}`);
    expectFieldError(response, name);
    expect(response.body.details).toContainEqual({ field: name, message: 'unknown field' });
    expect(await api.eventCount()).toBe(events);
  });

  it('names an inherited name nested in the filer, and on login', async () => {
    const body = JSON.stringify(filing()).replace('"filer":{', '"filer":{"__proto__":{"x":1},');
    expectFieldError(await postJson('hd-dg-1.clerk', '/api/v1/cases', body), 'filer.__proto__');
    const login = await t.http().post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"username":"admin","password":"x","constructor":1}');
    expectFieldError(login, 'constructor');
  });

  it('answers 400 to a body nested thousands of levels deep, naming where it went too deep', async () => {
    const deep = `${'['.repeat(3000)}${']'.repeat(3000)}`;
    const login = await t.http().post('/api/v1/auth/login').set('Content-Type', 'application/json').send(`{"username":"admin","password":"x","x":${deep}}`);
    expectError(login, 400);
    expect(login.body.details).toEqual([{ field: expect.stringMatching(/^x(\.0)+$/), message: 'nests deeper than 16 levels' }]);

    const events = await api.eventCount();
    const filingBody = JSON.stringify(filing({ location: { address: 'DEEP' } })).replace('"DEEP"', deep);
    const response = await postJson('hd-dg-1.clerk', '/api/v1/cases', filingBody);
    expectError(response, 400);
    expect(response.body.details[0].field).toMatch(/^location\.address/);
    expect(await api.eventCount()).toBe(events);
  });

  it('accepts the deepest body the API takes (a party inside a list inside a filing)', async () => {
    const filed = await api.file({ kind: 'dispute', parties: [{ name: '李四', role: '物业' }] });
    expect((await api.detail('hd-dg-1.clerk', filed.id)).parties).toEqual([{ name: '李四', role: '物业' }]);
  });

  it.each([
    ['a NUL in q', '/api/v1/cases?q=%00', 'q'],
    ['constructor', '/api/v1/cases?constructor=1', 'constructor'],
    ['hasOwnProperty', '/api/v1/cases?hasOwnProperty=1', 'hasOwnProperty'],
    ['an unknown parameter on the inbox', '/api/v1/inbox?foo=bar', 'foo'],
  ])('answers 400 to %s in a query string', async (_, path, field) => {
    expectFieldError(await api.get('auditor', path), field);
  });

  it('reads blank query parameters, as forms and URL templates send them, as left out', async () => {
    const filed = await api.file({ title: '空白参数的查询' });
    const list = await api.get('auditor', `/api/v1/cases?status=&kind=&unitId=&overdue=&q=&page=1&pageSize=100&minPosition=${filed.position}`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((item: { id: string }) => item.id)).toContain(filed.id);
    const repeated = await api.get('auditor', `/api/v1/cases?status=&status=&kind=&kind=dispute&pageSize=100`);
    expect(repeated.status).toBe(200);
    expect(repeated.body.items.map((item: { id: string }) => item.id)).toContain(filed.id);
    expectFieldError(await api.get('auditor', '/api/v1/cases?kind=dispute&kind=risk'), 'kind');
    const stats = await api.get('auditor', '/api/v1/stats?unitId=&from=&to=');
    expect(stats.status).toBe(200);
    expect(stats.body.unitId).toBe((await api.get('auditor', '/api/v1/me')).body.unitId);
  });
});
