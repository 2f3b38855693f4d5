import { beforeAll, describe, expect, it } from '@jest/globals';
import ExifReader from 'exifreader';
import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Response } from 'supertest';
import { CASE_LIMITS } from '#domain';
import { newEventId, type NewEvent } from '#event-store';
import { eventually } from '#testing';
import { elfFixture, imageFixture, m4aFixture, mp3Fixture, pdfFixture, peFixture, wavFixture } from '../../../libs/attachments/src/testing/fixtures.js';
import { Api, expectError, expectFieldError, type Filed } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';

const CLERK = 'hd-dg-1.clerk';
const COORDINATOR = 'hd-dg-1.coordinator';
/** A reader whose subtree the cases below never pass through. */
const OUTSIDER = 'hx-xh-1.coordinator';

interface Uploaded {
  readonly attachmentId: string;
  readonly sha256: string;
  readonly size: number;
  readonly mediaType: string;
  readonly name: string;
}

/**
 * Attachments (API.md, "Attachments"): every accepted type stored under the hash of its stored
 * bytes, images without their metadata; everything refused leaves no event and no file (not even
 * a staged one); downloads only to readers, with headers that keep a browser from guessing; and
 * verification re-hashes the files.
 */
describe('attachments', () => {
  let t: TestApp;
  let api: Api;
  let folder: string;
  let filed: Filed;

  useTestApp((app) => {
    t = app;
    api = new Api(app);
    folder = join(app.dataDir, 'attachments');
  });

  beforeAll(async () => {
    filed = await api.file();
  });

  async function upload(caseId: string, bytes: Buffer, filename: string, fields: Record<string, string> = {}, username = CLERK, contentType = 'application/octet-stream'): Promise<Response> {
    const request = t
      .http()
      .post(`/api/v1/cases/${caseId}/attachments`)
      .set('Authorization', `Bearer ${await t.token(username)}`);
    for (const [name, value] of Object.entries(fields)) request.field(name, value);
    return request.attach('file', bytes, { filename, contentType });
  }

  async function download(caseId: string, attachmentId: string, username = CLERK, query = ''): Promise<Response> {
    return t
      .http()
      .get(`/api/v1/cases/${caseId}/attachments/${attachmentId}${query}`)
      .set('Authorization', `Bearer ${await t.token(username)}`)
      .buffer(true)
      .parse((response, callback) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        // The bytes as sent; an error body as JSON.
        response.on('end', () => {
          const bytes = Buffer.concat(chunks);
          callback(null, String(response.headers['content-type']).startsWith('application/json') ? JSON.parse(bytes.toString('utf8')) : bytes);
        });
      });
  }

  /**
   * A multipart upload over a raw connection that declares `declaredBytes` and sends only the
   * file part's start and `send`: the answer the server gives before the body is complete.
   */
  async function rawUpload(caseId: string, { declaredBytes, send }: { declaredBytes: number; send: Buffer }): Promise<{ status: number; body: string }> {
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const boundary = 'minyi-raw';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="raw.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
    const token = await t.token(CLERK);
    return new Promise((resolve, reject) => {
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/api/v1/cases/${caseId}/attachments`,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(declaredBytes) },
      });
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString('utf8') });
          request.destroy();
        });
      });
      request.on('error', reject);
      request.write(Buffer.concat([head, send]));
    });
  }

  /** Every file under the attachments folder, staged ones included. */
  async function storedFiles(): Promise<string[]> {
    const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
  }

  function blobPath(sha256: string): string {
    return join(folder, sha256.slice(0, 2), sha256);
  }

  /** Runs `refused` and checks that it wrote no event and no file. */
  async function writesNothing(refused: () => Promise<void>): Promise<void> {
    const events = await api.eventCount();
    const files = await storedFiles();
    await refused();
    expect(await api.eventCount()).toBe(events);
    expect(await storedFiles()).toEqual(files);
  }

  describe('every accepted type', () => {
    it.each([
      ['photo.jpg', 'image/jpeg', 'photo', () => imageFixture('jpeg')],
      ['map.png', 'image/png', 'photo', () => imageFixture('png')],
      ['scene.webp', 'image/webp', 'photo', () => imageFixture('webp')],
      ['调解协议.pdf', 'application/pdf', 'document', async () => pdfFixture()],
      ['call.mp3', 'audio/mpeg', 'audio', async () => mp3Fixture()],
      ['voice.m4a', 'audio/mp4', 'audio', async () => m4aFixture()],
      ['meeting.wav', 'audio/wav', 'audio', async () => wavFixture()],
    ])('stores %s as %s (kind %s), recorded as AttachmentAdded, and gives the same bytes back', async (filename, mediaType, kind, make) => {
      const bytes = await make();
      const response = await upload(filed.id, bytes, filename);
      expect(response.status).toBe(201);
      const body = response.body as Uploaded;
      expect(body).toMatchObject({ attachmentId: expect.any(String), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), mediaType, name: filename });
      const stored = await readFile(blobPath(body.sha256));
      expect(createHash('sha256').update(stored).digest('hex')).toBe(body.sha256);
      expect(body.size).toBe(stored.length);
      if (!mediaType.startsWith('image/')) expect(stored).toEqual(bytes);

      const detail = await api.detail(COORDINATOR, filed.id);
      expect(detail.attachments).toEqual(expect.arrayContaining([expect.objectContaining({ attachmentId: body.attachmentId, kind, mediaType, sha256: body.sha256 })]));
      const got = await download(filed.id, body.attachmentId);
      expect(got.status).toBe(200);
      expect(got.headers['content-type']).toBe(mediaType);
      expect(got.body).toEqual(stored);
    });

    it('takes a kind and a description', async () => {
      const response = await upload(filed.id, pdfFixture(), 'agreement.pdf', { kind: 'agreement', description: '双方签字的调解协议' });
      expect(response.status).toBe(201);
      const detail = await api.detail(COORDINATOR, filed.id);
      expect(detail.attachments).toEqual(expect.arrayContaining([expect.objectContaining({ attachmentId: response.body.attachmentId, kind: 'agreement', description: '双方签字的调解协议' })]));
    });

    it('cleans the file name of any path and control characters', async () => {
      const response = await upload(filed.id, pdfFixture(), '../../etc/\u0007报告.pdf');
      expect(response.status).toBe(201);
      expect(response.body.name).toBe('报告.pdf');
    });
  });

  describe('images lose their metadata before they are hashed', () => {
    it('strips EXIF and GPS from a JPEG: the stored bytes carry neither, and hash to the recorded SHA-256', async () => {
      const original = await imageFixture('jpeg', { gps: true, width: 200, height: 100 });
      expect(ExifReader.load(original).GPSLatitude).toBeDefined();
      const response = await upload(filed.id, original, 'gps.jpg');
      expect(response.status).toBe(201);
      const stored = await readFile(blobPath(response.body.sha256));
      const tags = ExifReader.load(stored);
      expect(tags.GPSLatitude).toBeUndefined();
      expect(tags.GPSLongitude).toBeUndefined();
      expect(tags.Make).toBeUndefined();
      const metadata = await sharp(stored).metadata();
      expect(metadata).toMatchObject({ format: 'jpeg', width: 200, height: 100 });
      expect(metadata.exif).toBeUndefined();
      expect(metadata.xmp).toBeUndefined();
    });

    it('serves a thumbnail of an image at most 320 px a side', async () => {
      const response = await upload(filed.id, await imageFixture('png', { width: 1200, height: 600 }), 'wide.png');
      const thumbnail = await download(filed.id, response.body.attachmentId, CLERK, '?thumbnail=1');
      expect(thumbnail.status).toBe(200);
      expect(thumbnail.headers['content-type']).toBe('image/jpeg');
      expect(await sharp(thumbnail.body as Buffer).metadata()).toMatchObject({ format: 'jpeg', width: 320, height: 160 });
      const pdf = await upload(filed.id, pdfFixture(), 'no-thumbnail.pdf');
      expectFieldError(await download(filed.id, pdf.body.attachmentId, CLERK, '?thumbnail=1'), 'thumbnail');
    });
  });

  describe('downloads', () => {
    it('sends an image inline and anything else as a download, never to be sniffed, privately cached by its hash', async () => {
      const image = (await upload(filed.id, await imageFixture('jpeg'), '现场.jpg')).body as Uploaded;
      const inline = await download(filed.id, image.attachmentId);
      expect(inline.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'content-type': 'image/jpeg',
        'content-length': String(image.size),
        'cache-control': 'private',
        etag: `"${image.sha256}"`,
      });
      expect(inline.headers['content-disposition']).toMatch(/^inline; filename="[^"]*"; filename\*=UTF-8''%E7%8E%B0%E5%9C%BA\.jpg$/);

      const pdf = (await upload(filed.id, pdfFixture(), '协议 "最终".pdf')).body as Uploaded;
      const attached = await download(filed.id, pdf.attachmentId);
      expect(attached.headers['x-content-type-options']).toBe('nosniff');
      expect(attached.headers['content-type']).toBe('application/pdf');
      expect(attached.headers['content-disposition']).toMatch(/^attachment; filename="[^"]*"; filename\*=UTF-8''/);

      // Bytes that pass as an MP3 under a name that would run: saved as what they were read as.
      const disguised = (await upload(filed.id, mp3Fixture(), '录音.hta')).body as Uploaded;
      const saved = await download(filed.id, disguised.attachmentId);
      expect(saved.headers['content-disposition']).toMatch(/filename\*=UTF-8''%E5%BD%95%E9%9F%B3\.mp3$/);

      const again = await t
        .http()
        .get(`/api/v1/cases/${filed.id}/attachments/${pdf.attachmentId}`)
        .set({ Authorization: `Bearer ${await t.token(CLERK)}`, 'If-None-Match': `"${pdf.sha256}"` });
      expect(again.status).toBe(304);
    });

    it('answers 404 for an unknown attachment, or one of another case', async () => {
      const other = await api.file({ title: '另一件' });
      const pdf = (await upload(filed.id, pdfFixture(), 'a.pdf')).body as Uploaded;
      expectError(await download(other.id, pdf.attachmentId), 404);
      expectError(await download(filed.id, randomUUID()), 404);
      expectError(await download(filed.id, 'not-a-uuid'), 404);
    });
  });

  describe('who may upload and download', () => {
    it('refuses a reader outside the case’s scope with 404 on both routes, storing nothing', async () => {
      const pdf = (await upload(filed.id, pdfFixture(), 'scope.pdf')).body as Uploaded;
      expectError(await download(filed.id, pdf.attachmentId, OUTSIDER), 404);
      await writesNothing(async () => expectError(await upload(filed.id, Buffer.concat([pdfFixture(), Buffer.from('%outsider')]), 'x.pdf', {}, OUTSIDER), 404));
    });

    it('refuses a reader whose role may not add notes (403), before the body is stored', async () => {
      await writesNothing(async () => expectError(await upload(filed.id, Buffer.concat([pdfFixture(), Buffer.from('%auditor')]), 'x.pdf', {}, 'auditor'), 403));
      // An auditor may still read the case's files.
      const pdf = (await upload(filed.id, pdfFixture(), 'read.pdf')).body as Uploaded;
      expect((await download(filed.id, pdf.attachmentId, 'auditor')).status).toBe(200);
    });

    it('refuses a case no longer open with 409, storing nothing', async () => {
      const rejected = await api.file({ title: '将被驳回' });
      await api.must(COORDINATOR, rejected.id, 'reject');
      await writesNothing(async () => expectError(await upload(rejected.id, Buffer.concat([pdfFixture(), Buffer.from('%closed')]), 'x.pdf'), 409, 'illegal_transition'));
    });
  });

  describe('refused files leave nothing behind', () => {
    it.each([
      ['an ELF executable', elfFixture()],
      ['a Windows executable', peFixture()],
    ])('refuses %s named photo.jpg and sent as image/jpeg with 415 naming the field file', async (_name, bytes) => {
      await writesNothing(async () => {
        const response = await upload(filed.id, bytes, 'photo.jpg', {}, CLERK, 'image/jpeg');
        expectError(response, 415, 'unsupported_media_type');
        expect(response.body.details).toEqual([{ field: 'file', message: expect.stringMatching(/accepted: JPEG/) }]);
      });
    });

    it('refuses a file over 20 MB with 413 naming the field file', async () => {
      const big = Buffer.concat([pdfFixture(), Buffer.alloc(20 * 1024 * 1024)]);
      await writesNothing(async () => {
        const response = await upload(filed.id, big, 'big.pdf');
        expectError(response, 413, 'payload_too_large');
        expect(response.body.details).toEqual([{ field: 'file', message: expect.stringMatching(/20 MB/) }]);
      });
    });

    it('refuses a body declared larger than a file may be with 413 before reading it', async () => {
      await writesNothing(async () => {
        const { status, body } = await rawUpload(filed.id, { declaredBytes: 30 * 1024 * 1024, send: pdfFixture() });
        expect(status).toBe(413);
        expect(JSON.parse(body)).toMatchObject({ statusCode: 413, code: 'payload_too_large', details: [{ field: 'file' }] });
      });
    });

    it('refuses an unknown kind, a bad description, a missing file and an extra part with 400 naming the field', async () => {
      await writesNothing(async () => {
        expectFieldError(await upload(filed.id, pdfFixture(), 'a.pdf', { kind: 'video' }), 'kind');
        expectFieldError(await upload(filed.id, pdfFixture(), 'a.pdf', { description: '长'.repeat(501) }), 'description');
        expectFieldError(await upload(filed.id, pdfFixture(), 'a.pdf', { note: 'x' }), 'note');
        const noFile = await t
          .http()
          .post(`/api/v1/cases/${filed.id}/attachments`)
          .set('Authorization', `Bearer ${await t.token(CLERK)}`)
          .field('kind', 'photo');
        expectFieldError(noFile, 'file');
        const json = await api.post(CLERK, `/api/v1/cases/${filed.id}/attachments`, { file: 'x' });
        expectFieldError(json, 'file');
      });
    });

    it('leaves no file, not even a staged one, and no event when the client cuts the upload off', async () => {
      const events = await api.eventCount();
      const files = await storedFiles();
      const boundary = 'minyi-cut-off';
      const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
      const server = t.app.getHttpServer();
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const token = await t.token(CLERK);
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/api/v1/cases/${filed.id}/attachments`,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(head.length + 5 * 1024 * 1024) },
      });
      const closed = new Promise<void>((resolve) => request.on('error', () => resolve()).on('close', () => resolve()));
      request.write(Buffer.concat([head, pdfFixture(), Buffer.alloc(512 * 1024)]));
      // The server has begun a staged file: the upload is under way.
      await eventually(async () => ((await storedFiles()).some((path) => path.includes('.staging')) ? true : undefined));
      request.destroy();
      await closed;
      await eventually(async () => ((await storedFiles()).length === files.length ? true : undefined));
      expect(await storedFiles()).toEqual(files);
      expect(await api.eventCount()).toBe(events);
    });
  });

  describe(`at most ${CASE_LIMITS.attachments} attachments a case`, () => {
    it('refuses the 51st with 409 limit_reached, storing nothing', async () => {
      const full = await api.file({ title: '附件很多的案件' });
      const metadata = { actorId: await api.userId(CLERK), actorRole: 'clerk', unitId: 'hd-dg-1', at: t.now().toISOString(), correlationId: randomUUID(), causationId: null };
      const pdf = (await upload(full.id, pdfFixture(), 'first.pdf')).body as Uploaded;
      const events: NewEvent[] = Array.from({ length: CASE_LIMITS.attachments - 1 }, (_, i) => ({
        id: newEventId(),
        type: 'AttachmentAdded',
        schemaVersion: 1,
        data: { attachmentId: randomUUID(), sha256: pdf.sha256, size: pdf.size, mediaType: 'application/pdf', name: `copy-${i}.pdf`, kind: 'document', description: null },
        metadata,
      }));
      await t.engine.store.appendToStream(`case-${full.id}`, events, { expectedRevision: 1 });
      await writesNothing(async () => {
        const refused = await upload(full.id, Buffer.concat([pdfFixture(), Buffer.from('%51')]), '51.pdf');
        expectError(refused, 409, 'limit_reached');
      });
      expect((await api.detail(COORDINATOR, full.id)).attachments).toHaveLength(CASE_LIMITS.attachments);
    });
  });

  describe('the dossier', () => {
    it('lists each attachment with its name, kind, type, size and full SHA-256, in JSON and on the printable page', async () => {
      const documented = await api.file({ title: '有附件的档案' });
      const pdf = (await upload(documented.id, Buffer.concat([pdfFixture(), Buffer.from('%dossier')]), '<调解>协议.pdf', { kind: 'agreement' })).body as Uploaded;
      const json = await api.get('auditor', `/api/v1/cases/${documented.id}/dossier`);
      expect(json.status).toBe(200);
      expect(json.body.attachments).toEqual([
        expect.objectContaining({ attachmentId: pdf.attachmentId, name: '<调解>协议.pdf', kind: 'agreement', mediaType: 'application/pdf', size: pdf.size, sha256: pdf.sha256 }),
      ]);
      const page = await api.get('auditor', `/api/v1/cases/${documented.id}/dossier?format=html`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('<h2>附件</h2>');
      expect(page.text).toContain(pdf.sha256);
      expect(page.text).toContain('&lt;调解&gt;协议.pdf');
      expect(page.text).toContain('协议书');
    });
  });

  describe('verification re-hashes the files', () => {
    it('names a changed file and a deleted file, in the case’s verify and the whole store’s', async () => {
      const victim = await api.file({ title: '附件被篡改的案件' });
      const changed = (await upload(victim.id, Buffer.concat([pdfFixture(), Buffer.from('%to be changed')]), 'changed.pdf')).body as Uploaded;
      const deleted = (await upload(victim.id, Buffer.concat([pdfFixture(), Buffer.from('%to be deleted')]), 'deleted.pdf')).body as Uploaded;
      const before = await api.get('auditor', `/api/v1/cases/${victim.id}/verify`);
      expect(before.body).toMatchObject({ ok: true, problems: [], files: 2 });

      await writeFile(blobPath(changed.sha256), 'forged bytes');
      await rm(blobPath(deleted.sha256));

      const history = (await api.get(COORDINATOR, `/api/v1/cases/${victim.id}/history`)).body as { events: { revision: number; type: string; data: { attachmentId?: string } }[] };
      const revisionOf = (attachmentId: string) => history.events.find((e) => e.type === 'AttachmentAdded' && e.data.attachmentId === attachmentId)!.revision;

      const one = await api.get('auditor', `/api/v1/cases/${victim.id}/verify`);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ ok: false, problem: 'attachment', firstBrokenRevision: revisionOf(changed.attachmentId), headHash: expect.any(String) });
      expect(one.body.problems).toEqual([
        expect.objectContaining({ problem: 'attachment', attachmentId: changed.attachmentId, revision: revisionOf(changed.attachmentId), status: 'changed' }),
        expect.objectContaining({ problem: 'attachment', attachmentId: deleted.attachmentId, revision: revisionOf(deleted.attachmentId), status: 'missing' }),
      ]);

      const whole = await api.get('auditor', '/api/v1/audit/verify');
      expect(whole.status).toBe(200);
      expect(whole.body.ok).toBe(false);
      expect(whole.body.broken).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ streamId: `case-${victim.id}`, caseId: victim.id, caseNumber: victim.number, problem: 'attachment', attachmentId: changed.attachmentId, revision: revisionOf(changed.attachmentId), status: 'changed' }),
          expect.objectContaining({ streamId: `case-${victim.id}`, caseId: victim.id, problem: 'attachment', attachmentId: deleted.attachmentId, revision: revisionOf(deleted.attachmentId), status: 'missing' }),
        ]),
      );
      expect(whole.body.broken.every((b: { streamId: string }) => b.streamId === `case-${victim.id}`)).toBe(true);
    });
  });
});
