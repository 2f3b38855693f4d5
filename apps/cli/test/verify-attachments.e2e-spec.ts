import { describe, expect, it, jest } from '@jest/globals';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pdfFixture } from '../../../libs/attachments/src/testing/fixtures.js';
import type { TestApp } from '../../api/test/support/test-app.js';
import { useCliApp, type CliApp } from './support/run-cli.js';

// Each run of the CLI is a fresh Node.js process that loads the engine's libraries and connects.
jest.setTimeout(120_000);

/** `verify` on the command line re-hashes the files the API stored, in the same data dir. */
describe('cli verify: attachment files', () => {
  let t: TestApp;
  let cliWith: CliApp['cliWith'];

  useCliApp((app) => {
    ({ t, cliWith } = app);
  }, 60_000);

  it('counts the files it re-hashed, and names a missing one by its attachment and revision', async () => {
    const filed = (await t.http().post('/api/v1/cases').set('Authorization', `Bearer ${await t.token('hd-dg-1.clerk')}`).send({
      kind: 'dispute',
      title: '有附件的案件',
      description: '现场有照片和协议。',
      channel: 'walk_in',
      unitId: 'hd-dg-1',
      filer: { name: '张三', phone: '13812345678' },
    })).body as { id: string; number: string };
    const uploaded = await t
      .http()
      .post(`/api/v1/cases/${filed.id}/attachments`)
      .set('Authorization', `Bearer ${await t.token('hd-dg-1.clerk')}`)
      .attach('file', pdfFixture(), { filename: '协议.pdf', contentType: 'application/pdf' });
    expect(uploaded.status).toBe(201);
    const { attachmentId, sha256, revision } = uploaded.body as { attachmentId: string; sha256: string; revision: number };
    const onAppData = { env: { MINYI_DATA_DIR: t.dataDir } };
    // The case number comes from the case read model.
    await t.settle();

    const whole = await cliWith(onAppData, 'verify', '--json');
    expect(whole.code).toBe(0);
    expect(JSON.parse(whole.stdout)).toMatchObject({ ok: true, files: 1, broken: [] });

    await rm(join(t.dataDir, 'attachments', sha256.slice(0, 2), sha256));
    const json = await cliWith(onAppData, 'verify', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      files: 1,
      broken: [{ streamId: `case-${filed.id}`, revision, problem: 'attachment', attachmentId, status: 'missing', caseNumber: filed.number }],
    });
    const text = await cliWith(onAppData, 'verify');
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`${filed.number}  case-${filed.id}  from revision ${revision}: the file of attachment ${attachmentId} (revision ${revision}) is missing`);
  });
});
