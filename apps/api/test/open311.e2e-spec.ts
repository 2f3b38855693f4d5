import { describe, expect, it } from '@jest/globals';
import { XMLParser } from 'fast-xml-parser';
import { createHash, randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { Api, expectError } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';

/**
 * Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): each resource in both formats,
 * checked against the shapes of the specification's own examples.
 */

const BASE = '/open311/v2';
/** The elements that the specification's XML repeats inside a wrapper (its JSON lists). */
const LIST_ITEMS = new Set(['service', 'request', 'error', 'attribute', 'value', 'endpoint', 'format']);
const parser = new XMLParser({ parseTagValue: false, isArray: (name) => LIST_ITEMS.has(name) });

/** The answer's XML as a tree, after checking the declaration and the content type. */
function xmlOf(response: Response): Record<string, unknown> {
  expect(response.headers['content-type']).toBe('text/xml; charset=utf-8');
  expect(response.text.startsWith('<?xml version="1.0" encoding="utf-8"?>\n')).toBe(true);
  const { '?xml': _declaration, ...tree } = parser.parse(response.text) as Record<string, unknown>;
  return tree;
}

function jsonOf(response: Response): unknown {
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  return JSON.parse(response.text);
}

/** The spec's example of a service list entry, its fields in order. */
const SERVICE_FIELDS = ['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group'];
/** The spec's example of GET requests' entries, in order; address, coordinates and media are left out on purpose. */
const REQUEST_FIELDS = [
  'service_request_id',
  'status',
  'status_notes',
  'service_name',
  'service_code',
  'description',
  'agency_responsible',
  'service_notice',
  'requested_datetime',
  'updated_datetime',
  'expected_datetime',
];
const W3C = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** A resident's filing through the public route. */
function residentFiling(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'suggestion',
    title: '建议在小区东门增设路灯',
    description: '东门外道路夜间没有照明，住3号楼502室的王秀英老人晚上出行不便。',
    unitId: 'hd-dg-1',
    filer: { name: '王秀英', phone: '13698765432', anonymous: false },
    location: { address: '东关街道幸福小区3号楼502室', lat: 36.1, lng: 117.2 },
    ...overrides,
  };
}

/** An Open311 POST form, as the specification's example sends it. */
function open311Form(apiKey: string, overrides: Record<string, string | undefined> = {}): string {
  const fields: Record<string, string | undefined> = {
    api_key: apiKey,
    jurisdiction_id: 'minyi.example',
    service_code: 'risk',
    lat: '36.12',
    long: '117.21',
    address_string: '东关街道幸福小区北门',
    email: 'liu@example.com',
    device_id: 'tt222111',
    account_id: '123456',
    first_name: '建国',
    last_name: '刘',
    phone: '13587654321',
    description: '北门台阶破损，雨天容易滑倒。请尽快修补。',
    media_url: 'http://example.com/photo.jpg',
    'attribute[unit]': 'hd-dg-1',
    ...overrides,
  };
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value!)}`)
    .join('&');
}

/** Every personal detail of the filings above, and a staff note: none may reach an Open311 answer. */
const PRIVATE_TEXT = ['王秀英', '13698765432', '502室', '幸福小区', '刘', '建国', '13587654321', 'liu@example.com', '117.2', '36.1', 'photo.jpg', '内部意见：先查管网'];

describe('Open311 GeoReport v2', () => {
  let t: TestApp;
  let api: Api;
  let apiKey: string;
  let address = 0;
  const nextAddress = () => `203.0.113.${++address}`;

  useTestApp(
    async (app) => {
      t = app;
      api = new Api(app);
      const made = await api.post('admin', '/api/v1/open311/keys', { name: '城市服务小程序' });
      expect(made.status).toBe(201);
      apiKey = made.body.apiKey as string;
    },
    { trustProxy: 'loopback' },
  );

  const get = (path: string) => t.http().get(`${BASE}/${path}`);
  const postForm = (path: string, form: string, clientAddress = nextAddress()) =>
    t.http().post(`${BASE}/${path}`).set('X-Forwarded-For', clientAddress).type('form').send(form);

  async function fileOpen311(overrides: Record<string, string | undefined> = {}): Promise<{ number: string; body: Record<string, unknown> }> {
    const response = await postForm('requests.json', open311Form(apiKey, overrides));
    expect({ status: response.status, body: response.body }).toMatchObject({ status: 201 });
    await t.settle();
    const body = (jsonOf(response) as Record<string, unknown>[])[0]!;
    return { number: body.service_request_id as string, body };
  }

  async function fileAsResident(overrides: Record<string, unknown> = {}) {
    const response = await t.http().post('/api/v1/public/cases').set('X-Forwarded-For', nextAddress()).send(residentFiling(overrides));
    expect(response.status).toBe(201);
    await t.settle();
    return response.body as { number: string; accessCode: string; receipt: { hash: string } };
  }

  async function caseIdOf(number: string): Promise<string> {
    const { rows } = await t.engine.pool.query<{ id: string }>('SELECT id FROM case_view WHERE number = $1', [number]);
    return rows[0]!.id;
  }

  /** Expects the specification's error list, with this status, in the format of the URL. */
  function expectOpen311Error(response: Response, status: number, format: 'json' | 'xml', text?: string | RegExp): { code: number; description: string }[] {
    expect({ status: response.status, text: response.text }).toMatchObject({ status });
    const errors =
      format === 'json'
        ? (jsonOf(response) as { code: number; description: string }[])
        : ((xmlOf(response).errors as { error: { code: string; description: string }[] }).error.map((error) => ({ code: Number(error.code), description: error.description })));
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(Object.keys(error)).toEqual(['code', 'description']);
    expect(errors[0]!.code).toBe(status);
    if (text) expect(errors.map((error) => error.description).join('\n')).toMatch(text);
    return errors;
  }

  describe('discovery and services', () => {
    it('describes the endpoint in both formats, as the Service Discovery example does', async () => {
      const json = jsonOf(await get('discovery.json')) as Record<string, unknown>;
      expect(Object.keys(json)).toEqual(['changeset', 'contact', 'key_service', 'endpoints']);
      expect(json.endpoints).toEqual([
        { specification: 'http://wiki.open311.org/GeoReport_v2', url: expect.stringMatching(/^http:\/\/.+\/open311\/v2$/), changeset: json.changeset, type: 'production', formats: ['text/xml', 'application/json'] },
      ]);
      const xml = xmlOf(await get('discovery.xml'));
      expect(xml).toEqual({
        discovery: {
          changeset: json.changeset,
          contact: json.contact,
          key_service: json.key_service,
          endpoints: { endpoint: [{ specification: 'http://wiki.open311.org/GeoReport_v2', url: expect.any(String), changeset: json.changeset, type: 'production', formats: { format: ['text/xml', 'application/json'] } }] },
        },
      });
    });

    it('lists the public kinds as services, with their Chinese names, in both formats', async () => {
      const json = jsonOf(await get('services.json')) as Record<string, unknown>[];
      expect(json.map((service) => service.service_code)).toEqual(['suggestion', 'grievance', 'risk', 'hardship']);
      for (const service of json) expect(Object.keys(service)).toEqual(SERVICE_FIELDS);
      expect(json[0]).toMatchObject({ service_code: 'suggestion', service_name: '建言献策', metadata: true, type: 'realtime', description: expect.any(String), keywords: expect.any(String), group: expect.any(String) });
      const xml = xmlOf(await get('services.xml')) as { services: { service: Record<string, string>[] } };
      expect(Object.keys(xml)).toEqual(['services']);
      expect(xml.services.service).toEqual(json.map((service) => Object.fromEntries(Object.entries(service).map(([key, value]) => [key, String(value)]))));
      for (const service of xml.services.service) expect(Object.keys(service)).toEqual(SERVICE_FIELDS);
    });

    it('defines each service: the unit to file to among the communities and grids, anonymity, a title', async () => {
      const json = jsonOf(await get('services/risk.json')) as { service_code: string; attributes: Record<string, unknown>[] };
      expect(Object.keys(json)).toEqual(['service_code', 'attributes']);
      expect(json.service_code).toBe('risk');
      const [unit, anonymous, title] = json.attributes;
      expect(Object.keys(unit!)).toEqual(['variable', 'code', 'datatype', 'required', 'datatype_description', 'order', 'description', 'values']);
      expect(unit).toMatchObject({ variable: true, code: 'unit', datatype: 'singlevaluelist', required: true, datatype_description: null, order: 1 });
      expect(unit!.values).toContainEqual({ key: 'hd-dg-1', name: '示范市 / 河东区 / 东关街道 / 东关社区' });
      expect((unit!.values as { key: string }[]).map((value) => value.key)).not.toContain('hd-dg');
      expect(anonymous).toMatchObject({ code: 'anonymous', datatype: 'singlevaluelist', required: false, order: 2, values: [{ key: 'false', name: '不匿名' }, { key: 'true', name: '匿名' }] });
      expect(title).toMatchObject({ code: 'title', datatype: 'string', required: false, order: 3 });
      const xml = xmlOf(await get('services/risk.xml')) as { service_definition: { service_code: string; attributes: { attribute: Record<string, unknown>[] } } };
      expect(Object.keys(xml)).toEqual(['service_definition']);
      expect(xml.service_definition.service_code).toBe('risk');
      const xmlUnit = xml.service_definition.attributes.attribute[0]!;
      expect(xmlUnit).toMatchObject({ variable: 'true', code: 'unit', datatype: 'singlevaluelist', required: 'true', datatype_description: '', order: '1' });
      expect((xmlUnit.values as { value: unknown[] }).value).toContainEqual({ key: 'hd-dg-1', name: '示范市 / 河东区 / 东关街道 / 东关社区' });
    });

    it('answers 404 in the specification’s format for a service that is not public, an unknown path or a missing suffix', async () => {
      expectOpen311Error(await get('services/visit.json'), 404, 'json', /no service visit/);
      expectOpen311Error(await get('services/nothing.xml'), 404, 'xml', /no service nothing/);
      expectOpen311Error(await get('services/risk'), 404, 'json', /\.json or \.xml/);
      expectOpen311Error(await get('services/risk.html'), 404, 'json');
      expectOpen311Error(await get('nowhere.xml'), 404, 'xml');
      expectOpen311Error(await t.http().get('/open311/v3/services.json'), 404, 'json');
      expectOpen311Error(await t.http().post(`${BASE}/services.xml`), 404, 'xml');
      expectOpen311Error(await get('services.json?color=red'), 400, 'json', /color: unknown parameter/);
      // The jurisdiction and a key are taken and ignored: one jurisdiction, and reading needs no key.
      expect((await get('services.json?jurisdiction_id=minyi.example&api_key=x')).status).toBe(200);
    });
  });

  describe('POST requests', () => {
    it('files with a valid key like the public route: at the unit, channel web, actor role public', async () => {
      const response = await postForm('requests.json', open311Form(apiKey));
      expect(response.status).toBe(201);
      const answer = jsonOf(response) as Record<string, unknown>[];
      expect(answer).toEqual([{ service_request_id: expect.stringMatching(/^MY-\d{4}-\d{6}$/), service_notice: expect.stringContaining('东关社区'), account_id: null }]);
      expect(response.headers['cache-control']).toBe('no-store');
      const number = answer[0]!.service_request_id as string;
      // The answer came once the request can be read back.
      expect((await get(`requests/${number}.json`)).status).toBe(200);
      await t.settle();
      const caseId = await caseIdOf(number);
      const history = await api.get('hd-dg-1.coordinator', `/api/v1/cases/${caseId}/history`);
      const filing = history.body.events[0];
      expect(filing.metadata).toMatchObject({ actorId: 'public', actorRole: 'public' });
      expect(filing.data).toMatchObject({ kind: 'risk', channel: 'web', unitId: 'hd-dg-1', title: '北门台阶破损，雨天容易滑倒', description: '北门台阶破损，雨天容易滑倒。请尽快修补。' });
      const detail = await api.detail('hd-dg-1.coordinator', caseId);
      expect(detail).toMatchObject({
        status: 'filed',
        channel: 'web',
        publicFiling: true,
        filer: { name: '刘建国', phone: '13587654321', anonymous: false },
        location: { address: '东关街道幸福小区北门', lat: 36.12, lng: 117.21 },
      });
      // The e-mail has no place in a case: it is not kept.
      expect(JSON.stringify(history.body)).not.toContain('liu@example.com');
    });

    it('answers in XML as the specification’s example, and takes the attribute title, anonymity and coordinates alone', async () => {
      const form = open311Form(apiKey, { address_string: undefined, 'attribute[anonymous]': 'true', 'attribute[title]': '北门台阶破损' });
      const response = await postForm('requests.xml', form);
      expect(response.status).toBe(201);
      const xml = xmlOf(response) as { service_requests: { request: Record<string, string>[] } };
      expect(xml).toEqual({ service_requests: { request: [{ service_request_id: expect.stringMatching(/^MY-/), service_notice: expect.any(String), account_id: '' }] } });
      expect(Object.keys(xml.service_requests.request[0]!)).toEqual(['service_request_id', 'service_notice', 'account_id']);
      await t.settle();
      const detail = await api.detail('hd-dg-1.coordinator', await caseIdOf(xml.service_requests.request[0]!.service_request_id!));
      expect(detail).toMatchObject({ title: '北门台阶破损', filer: { anonymous: true }, location: { address: '36.12,117.21', lat: 36.12, lng: 117.21 } });
    });

    it('gives the access code only as an extended attribute, when asked with extensions=true', async () => {
      const { number, body } = await fileOpen311({ extensions: 'true' });
      expect(Object.keys(body)).toEqual(['service_request_id', 'service_notice', 'account_id', 'extended_attributes']);
      const code = (body.extended_attributes as { access_code: string }).access_code;
      expect(code).toMatch(/^[2-9A-HJ-NP-Z]{12}$/);
      const tracked = await t.http().get(`/api/v1/public/cases/${number}?code=${code}`).set('X-Forwarded-For', nextAddress());
      expect(tracked.status).toBe(200);
      expect(tracked.body).toMatchObject({ number, kind: 'risk', status: 'filed' });
    });

    it('takes a JSON body too, with the attributes nested', async () => {
      const response = await t
        .http()
        .post(`${BASE}/requests.json`)
        .send({ api_key: apiKey, service_code: 'suggestion', description: '建议增设健身器材', attribute: { unit: 'hd-dg-1' } });
      expect(response.status).toBe(201);
    });

    it('files once for a retried Idempotency-Key, answering the first number again', async () => {
      const key = randomUUID();
      const send = () => t.http().post(`${BASE}/requests.json`).set('Idempotency-Key', key).type('form').send(open311Form(apiKey));
      const first = await send();
      const again = await send();
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.text).toBe(first.text);
    });

    it('refuses without a key, with a wrong key and with a revoked key: 403 in the specification’s format, nothing written', async () => {
      const before = await api.eventCount();
      expectOpen311Error(await postForm('requests.json', open311Form('')), 403, 'json', /api_key is required/);
      const inUrl = await t.http().post(`${BASE}/requests.json?api_key=${apiKey}`).type('form').send(open311Form('').replace('api_key=&', ''));
      expectOpen311Error(inUrl, 403, 'json', /api_key is required in the form/);
      expectOpen311Error(await postForm('requests.xml', open311Form('o311_wrong')), 403, 'xml', /invalid api_key/i);
      expectOpen311Error(await postForm('requests.json', open311Form('not even a key')), 403, 'json');
      const made = await api.post('admin', '/api/v1/open311/keys', { name: '停用的应用' });
      expect((await t.http().delete(`/api/v1/open311/keys/${made.body.id}`).set('Authorization', `Bearer ${await t.token('admin')}`)).status).toBe(204);
      expectOpen311Error(await postForm('requests.json', open311Form(made.body.apiKey as string)), 403, 'json', /invalid api_key/i);
      // The key is checked before the form: a bad form without a key is still 403.
      expectOpen311Error(await postForm('requests.json', 'service_code=nothing'), 403, 'json');
      expect(await api.eventCount()).toBe(before);
    });

    it('refuses a bad form naming each wrong field, 404 for an unknown service, and writes nothing', async () => {
      const before = await api.eventCount();
      const cases: [Record<string, string | undefined>, number, RegExp][] = [
        [{ service_code: 'nothing' }, 404, /no service nothing/],
        [{ service_code: 'visit' }, 404, /no service visit/],
        [{ service_code: undefined }, 400, /service_code: is required/],
        [{ 'attribute[unit]': undefined }, 400, /attribute\[unit\]: is required/],
        [{ 'attribute[unit]': 'hd-dg' }, 400, /attribute\[unit\]: hd-dg is not a community or grid/],
        [{ 'attribute[unit]': 'nowhere' }, 400, /attribute\[unit\]/],
        [{ 'attribute[anonymous]': 'maybe' }, 400, /attribute\[anonymous\]: must be true or false/],
        [{ 'attribute[color]': 'red' }, 400, /attribute\[color\]: unknown attribute/],
        [{ description: undefined }, 400, /description: is required/],
        [{ description: '长'.repeat(4001) }, 400, /description: must be at most 4000/],
        [{ phone: 'call me' }, 400, /phone: must be a phone number/],
        [{ email: 'nobody' }, 400, /email: must be an e-mail address/],
        [{ lat: '91' }, 400, /lat: must be a WGS84 latitude/],
        [{ long: undefined }, 400, /long: lat and long go together/],
        [{ channel: 'hotline' }, 400, /channel: unknown field/],
        [{ extensions: 'yes' }, 400, /extensions: must be true or false/],
      ];
      for (const [overrides, status, text] of cases) {
        for (const format of ['json', 'xml'] as const) {
          const response = await postForm(`requests.${format}`, open311Form(apiKey, overrides));
          expectOpen311Error(response, status, format, text);
        }
      }
      // Several wrong fields: one error each.
      const several = expectOpen311Error(await postForm('requests.json', open311Form(apiKey, { phone: 'x', email: 'y' })), 400, 'json');
      expect(several.map((error) => error.description)).toEqual([expect.stringMatching(/^phone:/), expect.stringMatching(/^email:/)]);
      expectOpen311Error(await postForm('requests.json', `${open311Form(apiKey)}&phone=13500000000`), 400, 'json', /phone: given more than once/);
      expectOpen311Error(await postForm('requests.json', `${open311Form(apiKey)}&description=%00`), 400, 'json');
      expect(await api.eventCount()).toBe(before);
    });

    it('counts filings per key, not per address: six from one address pass; a key at its hourly 1000 gets 429', async () => {
      const clientAddress = nextAddress();
      for (let i = 0; i < 6; i++) expect((await postForm('requests.json', open311Form(apiKey), clientAddress)).status).toBe(201);
      const made = await api.post('admin', '/api/v1/open311/keys', { name: '繁忙的应用' });
      const busyKey = made.body.apiKey as string;
      await t.engine.pool.query(`INSERT INTO public_limit_hits (limit_name, address, at) SELECT 'open311Filing', $1, $2 FROM generate_series(1, 1000)`, [`open311-key:${made.body.id}`, t.now()]);
      const before = await api.eventCount();
      const refused = await postForm('requests.xml', open311Form(busyKey));
      expectOpen311Error(refused, 429, 'xml', /too many filings with this api_key/);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);
      expect(await api.eventCount()).toBe(before);
      expect((await postForm('requests.json', open311Form(apiKey))).status).toBe(201);
    });

    it('refuses a form on every other route, and a body that is no form or JSON here', async () => {
      const other = await t.http().post('/api/v1/public/cases').type('form').send('kind=suggestion');
      expectError(other, 415);
      const text = await t.http().post(`${BASE}/requests.json`).set('Content-Type', 'text/plain').send('hello');
      expectOpen311Error(text, 415, 'json', /form/);
      const large = await postForm('requests.json', open311Form(apiKey, { description: 'x'.repeat(70 * 1024) }));
      expectOpen311Error(large, 413, 'json', /64 KB/);
    });
  });

  describe('GET requests', () => {
    it('shows a case a resident filed in both formats, in the specification’s fields and order, its public steps and deadline', async () => {
      const filed = await fileAsResident();
      const json = jsonOf(await get(`requests/${filed.number}.json`)) as Record<string, unknown>[];
      expect(json).toHaveLength(1);
      const request = json[0]!;
      expect(Object.keys(request)).toEqual(REQUEST_FIELDS);
      const tracked = await t.http().get(`/api/v1/public/cases/${filed.number}?code=${filed.accessCode}`).set('X-Forwarded-For', nextAddress());
      expect(request).toEqual({
        service_request_id: filed.number,
        status: 'open',
        status_notes: '您的反映已提交至东关社区（社区村级）',
        service_name: '建言献策',
        service_code: 'suggestion',
        description: null,
        agency_responsible: '东关社区',
        service_notice: null,
        requested_datetime: expect.stringMatching(W3C),
        updated_datetime: expect.stringMatching(W3C),
        expected_datetime: expect.stringMatching(W3C),
      });
      expect(new Date(request.expected_datetime as string).getTime()).toBe(Math.floor(new Date(tracked.body.dueAt as string).getTime() / 1000) * 1000);
      const xml = xmlOf(await get(`requests/${filed.number}.xml`)) as { service_requests: { request: Record<string, string>[] } };
      expect(Object.keys(xml)).toEqual(['service_requests']);
      expect(Object.keys(xml.service_requests.request[0]!)).toEqual(REQUEST_FIELDS);
      expect(xml.service_requests.request[0]).toEqual({ ...Object.fromEntries(Object.entries(request).map(([key, value]) => [key, value === null ? '' : String(value)])) });

      // Accepted, then resolved: the public words follow; rejected: closed.
      const caseId = await caseIdOf(filed.number);
      await api.must('hd-dg-1.coordinator', caseId, 'accept');
      await t.settle();
      expect((jsonOf(await get(`requests/${filed.number}.json`)) as Record<string, unknown>[])[0]).toMatchObject({ status: 'open', status_notes: '已受理，正在协调办理' });
    });

    it('speaks of public filings only: a staff-filed case is never listed nor found', async () => {
      const staff = await api.file({ kind: 'suggestion', title: '员工登记的建议' });
      await t.settle();
      expectOpen311Error(await get(`requests/${staff.number}.json`), 404, 'json', new RegExp(`no service request ${staff.number}`));
      expectOpen311Error(await get(`requests/${staff.number}.xml`), 404, 'xml');
      const all = jsonOf(await get(`requests.json?service_request_id=${staff.number}`)) as unknown[];
      expect(all).toEqual([]);
      const listed = jsonOf(await get('requests.json')) as { service_request_id: string }[];
      expect(listed.map((request) => request.service_request_id)).not.toContain(staff.number);
    });

    it('filters by ids, service code, status and dates, newest first', async () => {
      const older = await fileAsResident({ kind: 'hardship', title: '独居老人生活困难' });
      t.advance(2 * 86_400_000);
      const middle = await fileAsResident({ kind: 'risk', title: '井盖松动' });
      const newest = await fileOpen311({ service_code: 'risk' });
      await api.must('hd-dg-1.coordinator', await caseIdOf(middle.number), 'reject');
      await t.settle();
      const numbers = async (query: string) => ((jsonOf(await get(`requests.json?${query}`)) as { service_request_id: string }[]).map((request) => request.service_request_id));

      const everything = await numbers('');
      expect(everything.indexOf(newest.number)).toBeLessThan(everything.indexOf(middle.number));
      expect(everything.indexOf(middle.number)).toBeLessThan(everything.indexOf(older.number));
      expect(await numbers(`service_request_id=${older.number},${newest.number.toLowerCase()}&status=closed`)).toEqual([newest.number, older.number]);
      expect(await numbers(`service_request_id=${older.number}&service_request_id=${middle.number}`)).toEqual([middle.number, older.number]);
      const risks = await numbers('service_code=risk');
      expect(risks).toEqual(expect.arrayContaining([middle.number, newest.number]));
      expect(risks).not.toContain(older.number);
      expect(await numbers('service_code=hardship,risk')).toEqual(expect.arrayContaining([older.number, middle.number, newest.number]));
      const closed = await numbers('status=closed');
      expect(closed).toContain(middle.number);
      expect(closed).not.toContain(newest.number);
      const open = await numbers('status=open');
      expect(open).toEqual(expect.arrayContaining([older.number, newest.number]));
      expect(open).not.toContain(middle.number);
      expect(await numbers('status=open,closed')).toEqual(expect.arrayContaining([older.number, middle.number]));
      const oneDayAgo = new Date(t.now().getTime() - 86_400_000).toISOString();
      const recent = await numbers(`start_date=${oneDayAgo}`);
      expect(recent).toEqual(expect.arrayContaining([middle.number, newest.number]));
      expect(recent).not.toContain(older.number);
      const early = await numbers(`end_date=${encodeURIComponent(oneDayAgo.replace('Z', '+00:00'))}`);
      expect(early).toContain(older.number);
      expect(early).not.toContain(middle.number);
      // The default range is the last 90 days.
      t.advance(91 * 86_400_000);
      expect(await numbers('')).toEqual([]);
      expect(await numbers(`service_request_id=${older.number}`)).toEqual([older.number]);
      const xml = xmlOf(await get('requests.xml')) as Record<string, unknown>;
      expect(xml).toEqual({ service_requests: '' });
    });

    it('refuses bad filters with 400 in the specification’s format', async () => {
      expectOpen311Error(await get('requests.json?status=pending'), 400, 'json', /status: must be open or closed/);
      expectOpen311Error(await get('requests.xml?service_code=visit'), 400, 'xml', /service_code: no service visit/);
      expectOpen311Error(await get('requests.json?start_date=yesterday'), 400, 'json', /start_date: must be a W3C datetime/);
      expectOpen311Error(await get('requests.json?start_date=2026-01-01T00:00:00'), 400, 'json', /start_date/);
      expectOpen311Error(await get('requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z'), 400, 'json', /90 days/);
      expectOpen311Error(await get('requests.json?start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z'), 400, 'json', /after end_date/);
      expectOpen311Error(await get('requests.json?page_size=5'), 400, 'json', /page_size: unknown parameter/);
    });

    it('never shows personal data: no name, phone, address, coordinates, description, e-mail, media or note, in any answer', async () => {
      const filed = await fileAsResident();
      const open311 = await fileOpen311();
      const caseId = await caseIdOf(filed.number);
      expect((await api.act('hd-dg-1.coordinator', caseId, 'notes', { type: 'note', text: '内部意见：先查管网' })).status).toBeLessThan(300);
      await t.settle();
      const answers = await Promise.all(
        ['json', 'xml'].flatMap((format) => [
          get(`requests.${format}`),
          get(`requests.${format}?service_request_id=${filed.number},${open311.number}`),
          get(`requests/${filed.number}.${format}`),
          get(`requests/${open311.number}.${format}`),
          get(`tokens/${filed.receipt.hash}.${format}`),
        ]),
      );
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        // Not even the titles: residents write them, and they may name people.
        for (const text of [...PRIVATE_TEXT, '建议在小区东门增设路灯', '北门台阶破损']) expect({ url: answer.request.url, leaked: answer.text.includes(text) ? text : null }).toEqual({ url: answer.request.url, leaked: null });
      }
      const listed = jsonOf(answers[0]!) as Record<string, unknown>[];
      for (const request of listed) {
        for (const field of ['address', 'address_id', 'zipcode', 'lat', 'long', 'media_url']) expect(request).not.toHaveProperty(field);
      }
    });
  });

  describe('tokens', () => {
    it('finds the case of a filing receipt, in both formats; an unknown token is 404', async () => {
      const filed = await fileAsResident();
      expect(jsonOf(await get(`tokens/${filed.receipt.hash}.json`))).toEqual([{ service_request_id: filed.number, token: filed.receipt.hash }]);
      expect(xmlOf(await get(`tokens/${filed.receipt.hash}.xml`))).toEqual({ service_requests: { request: [{ service_request_id: filed.number, token: filed.receipt.hash }] } });
      expectOpen311Error(await get(`tokens/${'0'.repeat(64)}.json`), 404, 'json', /no token/);
      expectOpen311Error(await get('tokens/12345.xml'), 404, 'xml');
    });
  });

  describe('api keys', () => {
    it('are made, listed and revoked by admins only; the key is shown once and stored as its SHA-256', async () => {
      const asCoordinator = await api.post('hd-dg-1.coordinator', '/api/v1/open311/keys', { name: '未授权' });
      expectError(asCoordinator, 403, 'forbidden');
      expectError(await api.get('city.leader', '/api/v1/open311/keys'), 403, 'forbidden');
      expect((await t.http().get('/api/v1/open311/keys')).status).toBe(401);
      expectError(await api.post('admin', '/api/v1/open311/keys', { name: '' }), 400);
      expectError(await api.post('admin', '/api/v1/open311/keys', {}), 400);

      const made = await api.post('admin', '/api/v1/open311/keys', { name: '街道微信公众号' });
      expect(made.status).toBe(201);
      expect(made.body).toEqual({ id: expect.any(String), name: '街道微信公众号', apiKey: expect.stringMatching(/^o311_[A-Za-z0-9_-]{43}$/), createdAt: t.now().toISOString() });
      expect(made.headers['cache-control']).toBe('no-store');
      const { rows } = await t.engine.pool.query<{ key_hash: string }>('SELECT key_hash FROM open311_keys WHERE id = $1', [made.body.id]);
      expect(rows[0]!.key_hash).toBe(createHash('sha256').update(made.body.apiKey as string).digest('hex'));

      const listed = await api.get('admin', '/api/v1/open311/keys');
      expect(listed.status).toBe(200);
      expect(listed.body).toContainEqual({ id: made.body.id, name: '街道微信公众号', createdBy: await api.userId('admin'), createdAt: made.body.createdAt, revokedAt: null });
      expect(listed.text).not.toContain(made.body.apiKey);

      const asAdmin = { Authorization: `Bearer ${await t.token('admin')}` };
      expectError(await t.http().delete(`/api/v1/open311/keys/${made.body.id}`).set('Authorization', `Bearer ${await t.token('hd-dg.coordinator')}`), 403);
      expect((await t.http().delete(`/api/v1/open311/keys/${made.body.id}`).set(asAdmin)).status).toBe(204);
      expectError(await t.http().delete(`/api/v1/open311/keys/${made.body.id}`).set(asAdmin), 404);
      expectError(await t.http().delete('/api/v1/open311/keys/not-a-key').set(asAdmin), 404);
      const after = await api.get('admin', '/api/v1/open311/keys');
      expect(after.body).toContainEqual(expect.objectContaining({ id: made.body.id, revokedAt: t.now().toISOString() }));
      expectOpen311Error(await postForm('requests.json', open311Form(made.body.apiKey as string)), 403, 'json');
    });
  });
});
