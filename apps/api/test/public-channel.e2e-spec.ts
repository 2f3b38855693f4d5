import { beforeAll, describe, expect, it } from '@jest/globals';
import ExifReader from 'exifreader';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { elfFixture, imageFixture, pdfFixture } from '../../../libs/attachments/src/testing/fixtures.js';
import { Api, expectError, expectFieldError } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';

/** A resident's filing; `overrides` replace top-level fields. */
function residentFiling(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'suggestion',
    title: '建议在小区东门增设路灯',
    description: '东门外道路夜间没有照明，老人晚上出行不便。',
    unitId: 'hd-dg-1',
    filer: { name: '王秀英', phone: '13698765432', anonymous: false },
    ...overrides,
  };
}

/** Every personal detail of the filing above, and the staff's words added later: none may reach a public answer. */
const PRIVATE_TEXT = ['王秀英', '13698765432', '6987', '5432', '已电话联系王女士', '内部意见：先查管网'];

interface Filed {
  number: string;
  accessCode: string;
  receipt: { hash: string; position: number; filedAt: string };
}

describe("the resident's channel", () => {
  let t: TestApp;
  let api: Api;
  let address = 0;
  /** A client address of its own for each test, so that the per-address limits of one test leave the others alone. */
  const nextAddress = () => `198.51.100.${++address}`;

  useTestApp(
    (app) => {
      t = app;
      api = new Api(app);
    },
    { trustProxy: 'loopback' },
  );

  const from = (clientAddress: string) => ({
    get: (path: string) => t.http().get(path).set('X-Forwarded-For', clientAddress),
    post: (path: string, body: unknown, headers: Record<string, string> = {}) => t.http().post(path).set('X-Forwarded-For', clientAddress).set(headers).send(body as object),
  });

  async function fileAsResident(clientAddress = nextAddress(), overrides: Record<string, unknown> = {}): Promise<Filed> {
    const response = await from(clientAddress).post('/api/v1/public/cases', residentFiling(overrides));
    expect(response.status).toBe(201);
    await t.settle();
    return response.body as Filed;
  }

  async function caseIdOf(number: string): Promise<string> {
    const { rows } = await t.engine.pool.query<{ id: string }>('SELECT id FROM case_view WHERE number = $1', [number]);
    return rows[0]!.id;
  }

  describe('what a resident may file to and file', () => {
    it('lists the communities and grids with their paths, and the kinds open to the public', async () => {
      const units = await t.http().get('/api/v1/public/units');
      expect(units.status).toBe(200);
      expect(units.body).toContainEqual({ id: 'hd-dg-1', name: '东关社区', level: 'community', path: ['示范市', '河东区', '东关街道', '东关社区'] });
      expect(units.body).toContainEqual({ id: 'hd-dg-1-g1', name: expect.any(String), level: 'grid', path: expect.arrayContaining(['东关社区']) });
      expect((units.body as { level: string }[]).every((unit) => unit.level === 'community' || unit.level === 'grid')).toBe(true);
      const kinds = await t.http().get('/api/v1/public/kinds');
      expect(kinds.body).toEqual(['suggestion', 'grievance', 'risk', 'hardship']);
    });

    it('needs no account, and answers the number, a one-time access code and the receipt of the filing event', async () => {
      const filed = await fileAsResident();
      expect(filed.number).toMatch(/^MY-\d{4}-\d{6}$/);
      expect(filed.accessCode).toMatch(/^[2-9A-HJ-NP-Z]{12}$/);
      const caseId = await caseIdOf(filed.number);
      const history = await api.get('hd-dg-1.coordinator', `/api/v1/cases/${caseId}/history`);
      const filing = history.body.events[0];
      expect(filed.receipt).toEqual({ hash: filing.hash, position: filing.position, filedAt: filing.metadata.at });
      expect(filing.metadata).toMatchObject({ actorId: 'public', actorRole: 'public', unitId: null });
      expect(filing.data).toMatchObject({ channel: 'web', unitId: 'hd-dg-1' });
      // The code itself is nowhere in the log, only its salted digest, which no reader is shown.
      expect(JSON.stringify(history.body)).not.toContain(filed.accessCode);
      expect(filing.data).not.toHaveProperty('publicAccess');
      const { rows } = await t.engine.pool.query<{ data: { publicAccess: { codeDigest: string } } }>('SELECT data FROM events WHERE hash = $1', [filing.hash]);
      expect(rows[0]!.data.publicAccess.codeDigest).toMatch(/^[0-9a-f]{64}$/);
      const detail = await api.detail('hd-dg-1.coordinator', caseId);
      expect(detail).toMatchObject({ status: 'filed', channel: 'web', publicFiling: true, filer: { name: '王秀英', phone: '13698765432' } });
    });

    it('files anonymously: staff outside the filing unit see 匿名 and no phone', async () => {
      const filed = await fileAsResident(nextAddress(), { filer: { anonymous: true } });
      const caseId = await caseIdOf(filed.number);
      expect(await api.detail('hd-dg-1.coordinator', caseId)).toMatchObject({ filer: { name: '', phone: null, anonymous: true } });
      expect(await api.detail('hd-dg.leader', caseId)).toMatchObject({ filer: { name: '匿名', phone: null, anonymous: true } });
    });

    it('refuses, naming the field and writing nothing: a staff-only kind, a town, an unknown unit, a missing title, an unknown field', async () => {
      const before = await api.eventCount();
      const clientAddress = nextAddress();
      const cases: [Record<string, unknown>, string][] = [
        [residentFiling({ kind: 'visit' }), 'kind'],
        [residentFiling({ kind: 'dispute' }), 'kind'],
        [residentFiling({ unitId: 'hd-dg' }), 'unitId'],
        [residentFiling({ unitId: 'nowhere' }), 'unitId'],
        [residentFiling({ title: '' }), 'title'],
        [residentFiling({ channel: 'hotline' }), 'channel'],
        [residentFiling({ filer: { name: '张三', phone: 'not a phone', anonymous: false } }), 'filer.phone'],
      ];
      for (const [body, field] of cases) {
        const response = await from(clientAddress).post('/api/v1/public/cases', body);
        expect({ field, status: response.status }).toEqual({ field, status: 400 });
        expectFieldError(response, field);
      }
      expect(await api.eventCount()).toBe(before);
      // Refused filings use up none of the address's five.
      for (let i = 0; i < 5; i++) expect((await from(clientAddress).post('/api/v1/public/cases', residentFiling())).status).toBe(201);
    });

    it('files once for a retried Idempotency-Key, answering the first number and code again', async () => {
      const clientAddress = nextAddress();
      const key = randomUUID();
      const first = await from(clientAddress).post('/api/v1/public/cases', residentFiling(), { 'Idempotency-Key': key });
      const again = await from(clientAddress).post('/api/v1/public/cases', residentFiling(), { 'Idempotency-Key': key });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.text).toBe(first.text);
      const other = await from(clientAddress).post('/api/v1/public/cases', residentFiling({ title: '另一件事' }), { 'Idempotency-Key': key });
      expectError(other, 409, 'idempotency_key_reused');
      // The table of keys keeps the answer without its code: the code is derived again for a retry.
      const kept = await t.engine.pool.query<{ response: unknown }>('SELECT response FROM idempotency_keys WHERE key = $1', [key]);
      expect(JSON.stringify(kept.rows)).toContain(first.body.number);
      expect(JSON.stringify(kept.rows)).not.toContain(first.body.accessCode);
    });

    it('answers retries racing each other with one filing, one number and one code', async () => {
      const key = randomUUID();
      const before = await api.eventCount();
      const answers = await Promise.all(Array.from({ length: 4 }, () => from(nextAddress()).post('/api/v1/public/cases', residentFiling(), { 'Idempotency-Key': key })));
      expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201]);
      expect(new Set(answers.map((answer) => JSON.stringify(answer.body))).size).toBe(1);
      expect(await api.eventCount()).toBe(before + 1);
      await t.settle();
      const tracked = await from(nextAddress()).get(`/api/v1/public/cases/${answers[0]!.body.number}?code=${answers[0]!.body.accessCode}`);
      expect(tracked.status).toBe(200);
    });

    it('takes at most 5 filings per client address an hour: the sixth is 429 with Retry-After, another address still files', async () => {
      const clientAddress = nextAddress();
      for (let i = 0; i < 5; i++) expect((await from(clientAddress).post('/api/v1/public/cases', residentFiling())).status).toBe(201);
      const before = await api.eventCount();
      const sixth = await from(clientAddress).post('/api/v1/public/cases', residentFiling());
      expectError(sixth, 429, 'rate_limited');
      expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(3500);
      expect(await api.eventCount()).toBe(before);
      expect((await from(nextAddress()).post('/api/v1/public/cases', residentFiling())).status).toBe(201);
      // An hour later the address files again, and the hits of the hour before are forgotten.
      t.advance(3601 * 1000);
      expect((await from(clientAddress).post('/api/v1/public/cases', residentFiling())).status).toBe(201);
      const { rows } = await t.engine.pool.query<{ oldest: Date }>('SELECT min(at) AS oldest FROM public_limit_hits');
      expect(t.now().getTime() - rows[0]!.oldest.getTime()).toBeLessThanOrEqual(3600 * 1000);
    });

    it('lets a burst of concurrent filings from one address through no more than five times', async () => {
      const clientAddress = nextAddress();
      const answers = await Promise.all(Array.from({ length: 12 }, () => from(clientAddress).post('/api/v1/public/cases', residentFiling())));
      expect(answers.filter((answer) => answer.status === 201)).toHaveLength(5);
      expect(answers.filter((answer) => answer.status === 429)).toHaveLength(7);
    });
  });

  describe('filing with photos and files (multipart)', () => {
    /** Every file under the attachments folder, staged ones included. */
    async function storedFiles(): Promise<string[]> {
      const entries = await readdir(join(t.dataDir, 'attachments'), { recursive: true, withFileTypes: true }).catch(() => []);
      return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)).sort();
    }

    function multipart(clientAddress: string, filing: unknown, files: { bytes: Buffer; name: string; type?: string }[], casePart = JSON.stringify(filing)) {
      const request = t.http().post('/api/v1/public/cases').set('X-Forwarded-For', clientAddress).field('case', casePart);
      for (const file of files) request.attach('files', file.bytes, { filename: file.name, contentType: file.type ?? 'application/octet-stream' });
      return request;
    }

    it('records the files with the filing, in one append, each with its hash; photos lose their GPS position', async () => {
      const photo = await imageFixture('jpeg', { gps: true });
      const response = await multipart(nextAddress(), residentFiling(), [
        { bytes: photo, name: 'C:\\相册\\路口.jpg', type: 'image/jpeg' },
        { bytes: pdfFixture(), name: '情况说明.pdf' },
      ]);
      expect(response.status).toBe(201);
      await t.settle();
      const caseId = await caseIdOf(response.body.number);
      const history = await api.get('hd-dg-1.coordinator', `/api/v1/cases/${caseId}/history`);
      expect(history.body.events.map((event: { type: string }) => event.type)).toEqual(['CaseFiled', 'AttachmentAdded', 'AttachmentAdded']);
      expect(new Set(history.body.events.map((event: { metadata: { correlationId: string } }) => event.metadata.correlationId)).size).toBe(1);
      expect(history.body.events[0].hash).toBe(response.body.receipt.hash);
      const detail = await api.detail('hd-dg-1.coordinator', caseId);
      const attachments = detail.attachments as { name: string; kind: string; mediaType: string; sha256: string; actorId: string }[];
      expect(attachments.map(({ name, kind, mediaType, actorId }) => ({ name, kind, mediaType, actorId }))).toEqual([
        { name: '路口.jpg', kind: 'photo', mediaType: 'image/jpeg', actorId: 'public' },
        { name: '情况说明.pdf', kind: 'document', mediaType: 'application/pdf', actorId: 'public' },
      ]);
      const stored = (await storedFiles()).find((path) => path.endsWith(attachments[0]!.sha256))!;
      const tags = ExifReader.load(await readFile(stored));
      expect(Object.keys(tags).filter((tag) => tag.startsWith('GPS'))).toEqual([]);
      // The public view says nothing of the files.
      const view = await from(nextAddress()).get(`/api/v1/public/cases/${response.body.number}?code=${response.body.accessCode}`);
      expect(JSON.stringify(view.body)).not.toContain('路口');
    });

    it('takes the case part typed application/json, as generated clients send it, and names it when that JSON is bad', async () => {
      const typed = (casePart: string) =>
        t
          .http()
          .post('/api/v1/public/cases')
          .set('X-Forwarded-For', nextAddress())
          .field('case', casePart, { contentType: 'application/json' } as never)
          .attach('files', pdfFixture(), { filename: '情况说明.pdf' });
      const filed = await typed(JSON.stringify(residentFiling()));
      expect(filed.status).toBe(201);
      await t.settle();
      const detail = await api.detail('hd-dg-1.coordinator', await caseIdOf(filed.body.number));
      expect(detail).toMatchObject({ title: residentFiling().title, attachments: [expect.objectContaining({ name: '情况说明.pdf' })] });
      expectFieldError(await typed('{not json'), 'case');
    });

    it('refuses a renamed executable with 415, leaving no file, no event, and the filing uncounted', async () => {
      const clientAddress = nextAddress();
      const before = { events: await api.eventCount(), files: await storedFiles() };
      const photo = await imageFixture('png');
      const response = await multipart(clientAddress, residentFiling(), [
        { bytes: photo, name: 'ok.png', type: 'image/png' },
        { bytes: elfFixture(), name: 'photo.jpg', type: 'image/jpeg' },
      ]);
      expectError(response, 415);
      expect(response.body.details).toEqual([expect.objectContaining({ field: 'files' })]);
      expect(await api.eventCount()).toBe(before.events);
      expect(await storedFiles()).toEqual(before.files);
      for (let i = 0; i < 5; i++) expect((await from(clientAddress).post('/api/v1/public/cases', residentFiling())).status).toBe(201);
    });

    it('checks the filing before reading any file: a refused filing uploads nothing, and the case part comes first', async () => {
      // An executable behind a bad filing: refused for the filing (400), never read to be refused as a file (415).
      const refused = await multipart(nextAddress(), residentFiling({ kind: 'visit' }), [{ bytes: elfFixture(), name: 'a.jpg' }]);
      expect(refused.status).toBe(400);
      expectFieldError(refused, 'kind');
      const filesFirst = t
        .http()
        .post('/api/v1/public/cases')
        .set('X-Forwarded-For', nextAddress())
        .attach('files', pdfFixture(), { filename: 'a.pdf' })
        .field('case', JSON.stringify(residentFiling()));
      expectFieldError(await filesFirst, 'case');
    });

    it('refuses a bad filing after its files arrived, and removes them', async () => {
      const before = { events: await api.eventCount(), files: await storedFiles() };
      const photo = await imageFixture('webp', { noise: true });
      const wrongKind = await multipart(nextAddress(), residentFiling({ kind: 'visit' }), [{ bytes: photo, name: 'a.webp' }]);
      expectFieldError(wrongKind, 'kind');
      const notJson = await multipart(nextAddress(), null, [{ bytes: photo, name: 'a.webp' }], '{not json');
      expectFieldError(notJson, 'case');
      const noCase = await t.http().post('/api/v1/public/cases').set('X-Forwarded-For', nextAddress()).attach('files', photo, { filename: 'a.webp' });
      expectFieldError(noCase, 'case');
      const six = await multipart(nextAddress(), residentFiling(), Array.from({ length: 6 }, (_, i) => ({ bytes: pdfFixture(), name: `${i}.pdf` })));
      expectFieldError(six, 'files');
      expect(await api.eventCount()).toBe(before.events);
      expect(await storedFiles()).toEqual(before.files);
    });
  });

  describe('following a case', () => {
    let filed: Filed;
    let caseId: string;

    beforeAll(async () => {
      filed = await fileAsResident();
      caseId = await caseIdOf(filed.number);
    });

    it('shows the case by number and code: levels and steps, never people, phones or notes', async () => {
      const coordinator = 'hd-dg-1.coordinator';
      await api.must(coordinator, caseId, 'accept', { note: '内部意见：先查管网' });
      await api.must(coordinator, caseId, 'notes', { type: 'contact', text: '已电话联系王女士' });
      await api.must(coordinator, caseId, 'assign', { assigneeId: await api.userId(coordinator) });
      await api.must(coordinator, caseId, 'escalate', { reason: '需街道协调，联系人王秀英' });
      await t.settle();
      const response = await from(nextAddress()).get(`/api/v1/public/cases/${filed.number}?code=${filed.accessCode}`);
      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const view = response.body;
      expect(Object.keys(view).sort()).toEqual(['dueAt', 'feedbackOpen', 'filedAt', 'kind', 'number', 'status', 'timeline', 'title', 'unit'].sort());
      expect(view).toMatchObject({ number: filed.number, kind: 'suggestion', status: 'filed', unit: { name: '东关街道', level: 'town' }, feedbackOpen: false });
      expect(view.dueAt).toEqual(expect.any(String));
      expect(view.timeline.map((step: { type: string }) => step.type)).toEqual(['CaseFiled', 'CaseAccepted', 'CaseAssigned', 'CaseEscalated']);
      expect(view.timeline[3].text).toBe('上报东关街道（街道乡镇级）协调办理');
      for (const step of view.timeline) expect(Object.keys(step).sort()).toEqual(['at', 'text', 'type']);
      const text = JSON.stringify(view);
      for (const secret of PRIVATE_TEXT) expect({ secret, shown: text.includes(secret) }).toEqual({ secret, shown: false });
      const userIds = await t.engine.pool.query<{ id: string }>('SELECT id::text FROM accounts');
      for (const { id } of userIds.rows) expect(text).not.toContain(id);
      expect(text).not.toContain(caseId);
    });

    it('speaks English when asked', async () => {
      const view = await from(nextAddress()).get(`/api/v1/public/cases/${filed.number}?code=${filed.accessCode}&lang=en`);
      expect(view.body.timeline[0].text).toBe('Your report was sent to 东关社区 (community)');
      const byHeader = await from(nextAddress()).get(`/api/v1/public/cases/${filed.number}?code=${filed.accessCode}`).set('Accept-Language', 'en-GB,en;q=0.9');
      expect(byHeader.body.timeline[0].text).toMatch(/^Your report/);
    });

    it('reads the code in any letter case and with the groups separated', async () => {
      const typed = `${filed.accessCode.slice(0, 4)}-${filed.accessCode.slice(4, 8)} ${filed.accessCode.slice(8)}`.toLowerCase();
      expect((await from(nextAddress()).get(`/api/v1/public/cases/${filed.number}?code=${encodeURIComponent(typed)}`)).status).toBe(200);
    });

    it('gives the same 404 for a wrong code, an unknown number and a staff-filed case', async () => {
      const clientAddress = nextAddress();
      const staffCase = await api.file();
      const answers = await Promise.all([
        from(clientAddress).get(`/api/v1/public/cases/${filed.number}?code=AAAAAAAAAAAA`),
        from(clientAddress).get(`/api/v1/public/cases/MY-1999-999999?code=${filed.accessCode}`),
        from(clientAddress).get(`/api/v1/public/cases/${staffCase.number}?code=${filed.accessCode}`),
      ]);
      for (const answer of answers) {
        expect(answer.status).toBe(404);
        expect(answer.body).toEqual(answers[0]!.body);
      }
      expect(answers[0]!.body.message).toBe('no case with this number and access code');
      expectFieldError(await from(clientAddress).get(`/api/v1/public/cases/${filed.number}`), 'code');
    });

    it('takes 10 wrong codes per address an hour, then 429 even for the right code; right codes cost nothing', async () => {
      const clientAddress = nextAddress();
      for (let i = 0; i < 20; i++) expect((await from(clientAddress).get(`/api/v1/public/cases/${filed.number}?code=${filed.accessCode}`)).status).toBe(200);
      const guesses = await Promise.all(Array.from({ length: 14 }, (_, i) => from(clientAddress).get(`/api/v1/public/cases/${filed.number}?code=WRONG${String(i).padStart(7, '2')}`)));
      expect(guesses.filter((answer) => answer.status === 404)).toHaveLength(10);
      expect(guesses.filter((answer) => answer.status === 429)).toHaveLength(4);
      const right = await from(clientAddress).get(`/api/v1/public/cases/${filed.number}?code=${filed.accessCode}`);
      expectError(right, 429, 'rate_limited');
      expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
      const feedback = await from(clientAddress).post(`/api/v1/public/cases/${filed.number}/feedback`, { code: filed.accessCode, satisfaction: 'satisfied' });
      expectError(feedback, 429, 'rate_limited');
    });
  });

  describe('rating the answer', () => {
    it('is open only while the case is resolved; recorded as public feedback, counted as self-rated', async () => {
      const filed = await fileAsResident();
      const caseId = await caseIdOf(filed.number);
      const rate = (body: Record<string, unknown>) => from(nextAddress()).post(`/api/v1/public/cases/${filed.number}/feedback`, { code: filed.accessCode, ...body });
      expectError(await rate({ satisfaction: 'satisfied' }), 409, 'illegal_transition');
      expectFieldError(await rate({ satisfaction: 'delighted' }), 'satisfaction');

      const coordinator = 'hd-dg-1.coordinator';
      await api.must(coordinator, caseId, 'accept');
      await api.must(coordinator, caseId, 'resolve', { outcome: 'adopted', summary: '已协调供电部门，本月内安装两盏路灯。' });
      await t.settle();
      const view = await from(nextAddress()).get(`/api/v1/public/cases/${filed.number}?code=${filed.accessCode}`);
      expect(view.body).toMatchObject({ status: 'resolved', feedbackOpen: true, resolution: { outcome: 'adopted', summary: '已协调供电部门，本月内安装两盏路灯。' } });

      const wrongCode = await from(nextAddress()).post(`/api/v1/public/cases/${filed.number}/feedback`, { code: 'AAAAAAAAAAAA', satisfaction: 'unsatisfied' });
      expect(wrongCode.status).toBe(404);
      const rated = await rate({ satisfaction: 'basically_satisfied', comment: '路灯装了，希望再亮一些。' });
      expect(rated.status).toBe(200);
      expect(rated.body).toEqual({ number: filed.number, status: 'closed' });
      const history = await api.get('hd-dg-1.coordinator', `/api/v1/cases/${caseId}/history`);
      expect(history.body.events.at(-1)).toMatchObject({ type: 'FeedbackRecorded', data: { satisfaction: 'basically_satisfied' }, metadata: { actorRole: 'public', actorId: 'public' } });
      expectError(await rate({ satisfaction: 'satisfied' }), 409, 'illegal_transition');

      // A staff callback on another case counts in the satisfaction rate, not in the self-rated one.
      const called = await api.caseIn('resolved');
      const last = await api.must(coordinator, called.id, 'feedback', { satisfaction: 'unsatisfied' });
      await api.caughtUp(last.position, coordinator);
      const stats = await api.get(coordinator, `/api/v1/stats?from=2026-01-01&to=2028-01-01&minPosition=${last.position}`);
      expect(stats.body.selfRatedSatisfactionRate).toBe(1);
      expect(stats.body.satisfactionRate).toBe(1 / 2);
    });
  });

  describe('receipts', () => {
    it('proves a filing intact, and says so no longer once the filing event is rewritten', async () => {
      const filed = await fileAsResident();
      const check = await t.http().get(`/api/v1/public/receipts/${filed.receipt.hash}`);
      expect(check.status).toBe(200);
      expect(check.body).toEqual({ number: filed.number, filedAt: filed.receipt.filedAt, position: filed.receipt.position, intact: true });
      expect((await t.http().get(`/api/v1/public/receipts/${filed.receipt.hash.toUpperCase()}`)).body.intact).toBe(true);

      // Someone with the database's keys rewrites the filing's description behind the engine's back.
      const caseId = await caseIdOf(filed.number);
      await t.engine.pool.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
      try {
        await t.engine.pool.query(`UPDATE events SET data = jsonb_set(data, '{description}', '"改写过的内容"') WHERE stream_id = $1 AND revision = 0`, [`case-${caseId}`]);
      } finally {
        await t.engine.pool.query('ALTER TABLE events ENABLE TRIGGER events_append_only');
      }
      const after = await t.http().get(`/api/v1/public/receipts/${filed.receipt.hash}`);
      expect(after.body).toMatchObject({ number: filed.number, intact: false });
    });

    it('does not know made-up or malformed hashes', async () => {
      expect((await t.http().get(`/api/v1/public/receipts/${'0'.repeat(64)}`)).status).toBe(404);
      expect((await t.http().get('/api/v1/public/receipts/not-a-hash')).status).toBe(404);
    });
  });

  it('never reads a staff token: a bearer header changes nothing, and the staff routes stay closed', async () => {
    const token = await t.token('hd-dg-1.coordinator');
    const units = await t.http().get('/api/v1/public/units').set('Authorization', 'Bearer not-a-token');
    expect(units.status).toBe(200);
    expect((await t.http().get('/api/v1/cases').set('Authorization', `Bearer ${token}x`)).status).toBe(401);
  });
});
