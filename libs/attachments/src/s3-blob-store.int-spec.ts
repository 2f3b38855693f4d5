import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AttachmentIntake } from './intake.js';
import { S3BlobStore, type S3Settings } from './s3-blob-store.js';
import { elfFixture, imageFixture, pdfFixture } from './testing/fixtures.js';

/** A real S3-compatible server: s3rver in this process, and the one ATTACHMENTS_S3_TEST_* names, when set. */
interface Target {
  readonly label: string;
  start(): Promise<{ settings: S3Settings; stop(): Promise<void> }>;
}

const targets: Target[] = [];

/** A dev dependency without types: loaded by a name TypeScript does not resolve. */
const S3RVER_MODULE: string = 's3rver';

try {
  const { default: S3rver } = (await import(S3RVER_MODULE)) as { default: new (options: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void> } };
  targets.push({
    label: 's3rver in process',
    async start() {
      const directory = await mkdtemp(join(tmpdir(), 'minyi-s3rver-'));
      const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: 'minyi-test' }] });
      const { port } = await server.run();
      return {
        settings: { endpoint: `http://127.0.0.1:${port}`, bucket: 'minyi-test', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' },
        async stop() {
          await server.close();
          await rm(directory, { recursive: true, force: true });
        },
      };
    },
  });
} catch (error) {
  console.warn(`[test] s3rver did not load (${(error as Error).message}): the in-process S3 tests are skipped`);
}

const env = process.env;
if (env.ATTACHMENTS_S3_TEST_ENDPOINT) {
  targets.push({
    label: `ATTACHMENTS_S3_TEST_ENDPOINT ${env.ATTACHMENTS_S3_TEST_ENDPOINT}`,
    async start() {
      return {
        settings: {
          endpoint: env.ATTACHMENTS_S3_TEST_ENDPOINT!,
          bucket: env.ATTACHMENTS_S3_TEST_BUCKET ?? 'minyi-test',
          accessKeyId: env.ATTACHMENTS_S3_TEST_ACCESS_KEY_ID ?? '',
          secretAccessKey: env.ATTACHMENTS_S3_TEST_SECRET_ACCESS_KEY ?? '',
          region: env.ATTACHMENTS_S3_TEST_REGION ?? 'us-east-1',
        },
        stop: async () => undefined,
      };
    },
  });
} else {
  console.warn('[test] ATTACHMENTS_S3_TEST_ENDPOINT not set: only the in-process S3 server is tried');
}

describe.each(targets.map((target) => [target.label, target] as const))('S3BlobStore against %s', (_label, target) => {
  let running: Awaited<ReturnType<Target['start']>>;
  let store: S3BlobStore;
  let client: S3Client;
  let folder: string;
  let intake: AttachmentIntake;
  /** Each run's own bytes, so that a shared bucket's earlier objects do not count. */
  const salt = `% run ${Date.now()}-${Math.random()}`;

  beforeAll(async () => {
    running = await target.start();
    const { settings } = running;
    store = new S3BlobStore(settings);
    client = new S3Client({ endpoint: settings.endpoint, region: settings.region, forcePathStyle: true, credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } });
    folder = await mkdtemp(join(tmpdir(), 'minyi-s3-staging-'));
    intake = new AttachmentIntake(store, folder);
  });
  afterAll(async () => {
    store?.destroy();
    client?.destroy();
    await running?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  async function keys(): Promise<string[]> {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: running.settings.bucket, Prefix: 'attachments/' }));
    return (listed.Contents ?? []).map((object) => object.Key!).sort();
  }

  it('stores a file as attachments/<sha256>, once, and streams it back', async () => {
    const bytes = Buffer.concat([pdfFixture(), Buffer.from(salt)]);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const first = await intake.receive(Readable.from([bytes]), { name: 'a.pdf' });
    expect(first).toMatchObject({ sha256, size: bytes.length, created: true });
    expect(await keys()).toContain(`attachments/${sha256}`);
    expect((await intake.receive(Readable.from([bytes]))).created).toBe(false);
    const opened = await store.open(sha256);
    expect(opened!.size).toBe(bytes.length);
    const chunks: Buffer[] = [];
    for await (const chunk of opened!.stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(bytes);
    expect(await readdir(join(folder, '.staging'))).toEqual([]);
  });

  it('strips an image before it uploads it, and re-hashing tells intact, changed and missing', async () => {
    const photo = await intake.receive(Readable.from([await imageFixture('jpeg', { gps: true, width: 77, height: 33 })]));
    expect(await intake.rehash(photo.sha256)).toBe('intact');
    await client.send(new PutObjectCommand({ Bucket: running.settings.bucket, Key: `attachments/${photo.sha256}`, Body: 'forged' }));
    expect(await intake.rehash(photo.sha256)).toBe('changed');
    await intake.discard(photo.sha256);
    expect(await intake.rehash(photo.sha256)).toBe('missing');
    expect(await store.open(photo.sha256)).toBeNull();
  });

  it('uploads nothing for a refused file', async () => {
    const before = await keys();
    await expect(intake.receive(Readable.from([elfFixture()]))).rejects.toMatchObject({ code: 'unsupported_media_type' });
    expect(await keys()).toEqual(before);
    expect(await readdir(join(folder, '.staging'))).toEqual([]);
  });
});
