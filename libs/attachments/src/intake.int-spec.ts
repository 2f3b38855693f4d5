import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExifReader from 'exifreader';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import sharp from 'sharp';
import { FileBlobStore } from './file-blob-store.js';
import { AttachmentIntake } from './intake.js';
import { elfFixture, imageFixture, pdfFixture } from './testing/fixtures.js';

/** Every file under a folder, staging included. */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('AttachmentIntake over files', () => {
  let folder: string;
  let store: FileBlobStore;
  let intake: AttachmentIntake;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'minyi-attachments-'));
    store = new FileBlobStore(folder);
    intake = new AttachmentIntake(store, folder, { maxBytes: 1024 * 1024 });
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('sweeps staged files a stopped process left behind, and keeps those of uploads still arriving', async () => {
    const staging = join(folder, '.staging');
    await mkdir(staging, { recursive: true });
    const now = new Date('2026-12-04T12:00:00Z');
    await writeFile(join(staging, 'left.part'), 'x');
    await utimes(join(staging, 'left.part'), new Date(now.getTime() - 2 * 3600_000), new Date(now.getTime() - 2 * 3600_000));
    await writeFile(join(staging, 'arriving.part'), 'y');
    await utimes(join(staging, 'arriving.part'), new Date(now.getTime() - 60_000), new Date(now.getTime() - 60_000));
    expect(await intake.sweepStaging(now)).toBe(1);
    expect(await readdir(staging)).toEqual(['arriving.part']);
    await rm(join(staging, 'arriving.part'));
  });

  it('stores a PDF as sent, under the SHA-256 of its bytes, once', async () => {
    const bytes = pdfFixture();
    const first = await intake.receive(Readable.from([bytes]), { name: 'x/报告.pdf' });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(first).toEqual({ sha256, size: bytes.length, mediaType: 'application/pdf', name: '报告.pdf', created: true });
    expect(await readFile(store.pathOf(sha256))).toEqual(bytes);
    const again = await intake.receive(Readable.from([bytes]));
    expect(again.created).toBe(false);
    expect(await intake.rehash(sha256)).toBe('intact');
  });

  it('strips EXIF and GPS from a JPEG before hashing: the stored bytes are what is hashed', async () => {
    const original = await imageFixture('jpeg', { gps: true });
    expect(ExifReader.load(original).GPSLatitude).toBeDefined();
    const received = await intake.receive(Readable.from([original]), { name: 'photo.jpg' });
    const stored = await readFile(store.pathOf(received.sha256));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(received.sha256);
    expect(received.size).toBe(stored.length);
    const tags = ExifReader.load(stored);
    expect(tags.GPSLatitude).toBeUndefined();
    expect(tags.Make).toBeUndefined();
    const metadata = await sharp(stored).metadata();
    expect(metadata).toMatchObject({ format: 'jpeg', width: 64, height: 48 });
    expect(metadata.exif).toBeUndefined();
  });

  it('makes a thumbnail of an image once, and keeps it', async () => {
    const photo = await intake.receive(Readable.from([await imageFixture('png', { width: 1000, height: 500 })]));
    const thumbnail = await intake.thumbnail(photo.sha256);
    const bytes = await streamBytes(thumbnail!.stream);
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'jpeg', width: 320, height: 160 });
    expect(thumbnail!.size).toBe(bytes.length);
  });

  it('refuses an executable, a file too large and a cut-off upload, leaving no file behind', async () => {
    const before = await filesUnder(folder);
    await expect(intake.receive(Readable.from([elfFixture()]), { name: 'photo.jpg' })).rejects.toMatchObject({ code: 'unsupported_media_type' });
    const big = Buffer.concat([pdfFixture(), Buffer.alloc(1024 * 1024)]);
    await expect(intake.receive(Readable.from([big.subarray(0, 300_000), big.subarray(300_000)]))).rejects.toMatchObject({ code: 'payload_too_large', field: 'file' });

    const cutOff = new PassThrough();
    const receiving = intake.receive(cutOff);
    cutOff.write(Buffer.concat([pdfFixture(), Buffer.alloc(100_000)]));
    await new Promise((resolve) => setImmediate(resolve));
    cutOff.destroy(new Error('the client went away'));
    await expect(receiving).rejects.toThrow('the client went away');
    expect(await filesUnder(folder)).toEqual(before);
  });

  it('re-hashing tells a changed file and a missing one', async () => {
    const { sha256 } = await intake.receive(Readable.from([Buffer.concat([pdfFixture(), Buffer.from('% one more')])]));
    await writeFile(store.pathOf(sha256), 'forged');
    expect(await intake.rehash(sha256)).toBe('changed');
    await intake.discard(sha256);
    expect(await intake.rehash(sha256)).toBe('missing');
  });
});

async function streamBytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
