import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Sharp, SharpOptions } from 'sharp';
import type { AttachmentMediaType } from '#domain';
import { checkSha256, type BlobStore, type OpenedBlob } from './blob-store.js';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from './errors.js';
import { cleanFileName } from './file-name.js';
import { Limiter } from './limiter.js';
import { MAX_ATTACHMENT_BYTES } from './settings.js';
import { SNIFF_BYTES, isImage, sniffMediaType } from './sniff.js';

type SharpFactory = (options: SharpOptions) => Sharp;
let loadedSharp: Promise<SharpFactory> | undefined;

/**
 * sharp, loaded on the first image (libvips costs some 28 MB of memory: a process that never
 * takes an image never pays for it). Uploads are decoded one at a time on one libvips thread (see
 * imageConcurrency); its cache only holds memory.
 */
function loadSharp(): Promise<SharpFactory> {
  loadedSharp ??= import('sharp').then(({ default: sharp }) => {
    sharp.cache(false);
    sharp.concurrency(1);
    return sharp;
  });
  return loadedSharp;
}

/** A file received and stored. */
export interface ReceivedFile {
  /** Hex SHA-256 of the stored bytes (after an image's metadata was stripped). */
  readonly sha256: string;
  /** Size of the stored bytes. */
  readonly size: number;
  readonly mediaType: AttachmentMediaType;
  /** The client's file name, cleaned (cleanFileName). */
  readonly name: string;
  /** False when the same bytes were stored already: then `discard` must leave the blob alone. */
  readonly created: boolean;
}

/** What re-hashing a stored blob found. */
export type BlobCheck = 'intact' | 'changed' | 'missing';

export interface IntakeOptions {
  /** The most bytes a file may have (default 20 MB). */
  readonly maxBytes?: number;
  /** The largest image, in pixels, that is decoded (default 50 megapixels): a small file can unpack huge. */
  readonly maxImagePixels?: number;
  /**
   * Images decoded at once (default 1); the other uploads wait, their bytes held back by TCP.
   * One keeps a server's memory low (bench:attachments); more gives more uploads a second on more cores.
   */
  readonly imageConcurrency?: number;
}

/** The longest side of a thumbnail, in pixels. */
export const THUMBNAIL_SIZE = 320;

/**
 * Receives attachment files: sniff → strip → hash → store. The type is read from the first bytes
 * (never the name or a header); an image is decoded and re-encoded in its own format by sharp,
 * turned upright by its EXIF orientation, with every piece of metadata (EXIF and GPS, XMP, ICC,
 * comments) left out, before anything is hashed; then the bytes are hashed while they are written
 * to a staged file in the store's folder, fsynced, and handed to the blob store under their hash.
 *
 * Memory stays bounded: bytes stream through, counted as they arrive (a file over the limit fails
 * at that byte), and never sit whole in memory except inside sharp, which takes a few images at a
 * time. On any failure (the client cut off, too large, wrong type, the store failing) no staged
 * file and no blob is left behind.
 */
export class AttachmentIntake {
  readonly #stagingDir: string;
  readonly #thumbnailDir: string;
  readonly #maxBytes: number;
  readonly #maxPixels: number;
  readonly #images: Limiter;

  constructor(
    readonly store: BlobStore,
    /** The attachments folder (shared by every process of the installation), on the same filesystem as a file store's blobs. */
    folder: string,
    options: IntakeOptions = {},
  ) {
    this.#stagingDir = join(folder, '.staging');
    this.#thumbnailDir = join(folder, '.thumbnails');
    this.#maxBytes = options.maxBytes ?? MAX_ATTACHMENT_BYTES;
    this.#maxPixels = options.maxImagePixels ?? 50_000_000;
    this.#images = new Limiter(options.imageConcurrency ?? 1);
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  /**
   * Stores one file from any stream of bytes. `name` is the client's file name (only cleaned and
   * returned, never used to tell the type); `signal` aborts the upload. Throws
   * UnsupportedMediaTypeError (415) or PayloadTooLargeError (413), or the stream's or the store's
   * error; nothing is kept then.
   */
  async receive(source: Readable, options: { readonly name?: string; readonly signal?: AbortSignal } = {}): Promise<ReceivedFile> {
    const name = cleanFileName(options.name);
    const chunks = countedChunks(source, this.#maxBytes)[Symbol.asyncIterator]();
    try {
      const { head, ended } = await readHead(chunks, SNIFF_BYTES);
      const mediaType = await sniffMediaType(head);
      const bytes = Readable.from(rest(head, ended, chunks), { objectMode: false });
      const staged = isImage(mediaType) ? await this.#stageImage(bytes, mediaType, options.signal) : await this.#stage(bytes, mediaType, options.signal);
      return { ...staged, mediaType, name };
    } catch (error) {
      // The rest of the source is not wanted: stop reading it (a multipart parse ends there).
      source.destroy();
      throw error;
    }
  }

  /**
   * Deletes staged files that a process stopped mid-upload left behind: those older than any
   * request may take (an hour, against the 10 minutes a request may take), so that an upload
   * still arriving in another process is kept.
   */
  async sweepStaging(now: Date, olderThanMs = 60 * 60 * 1000): Promise<number> {
    const names = await readdir(this.#stagingDir).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names.filter((entry) => entry.endsWith('.part'))) {
      const path = join(this.#stagingDir, name);
      const stats = await stat(path).catch(() => null);
      if (stats && now.getTime() - stats.mtimeMs > olderThanMs) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }

  /** Removes a blob this upload created (`created` true) when the case did not record it. */
  async discard(sha256: string): Promise<void> {
    await this.store.remove(sha256);
    await rm(this.#thumbnailPath(sha256), { force: true });
  }

  open(sha256: string): Promise<OpenedBlob | null> {
    return this.store.open(sha256);
  }

  /** Reads the stored blob again and compares its SHA-256 with its name. */
  async rehash(sha256: string): Promise<BlobCheck> {
    const digest = await this.store.digest(sha256);
    return digest === null ? 'missing' : digest === sha256 ? 'intact' : 'changed';
  }

  /**
   * A JPEG of an image at most THUMBNAIL_SIZE pixels a side, made once and kept by hash; null
   * when the blob is missing.
   */
  async thumbnail(sha256: string): Promise<OpenedBlob | null> {
    const path = this.#thumbnailPath(sha256);
    const cached = await openFile(path);
    if (cached) return cached;
    const made = await this.#images.run(async () => {
      // Opened only once its turn comes: a bucket's stream would not wait idle.
      const blob = await this.store.open(sha256);
      if (!blob) return false;
      const staging = await this.#stagingPath();
      try {
        const sharp = await loadSharp();
        const resize = sharp({ limitInputPixels: this.#maxPixels }).rotate().resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 });
        await pipeline(blob.stream, resize, createWriteStream(staging, { flags: 'wx' }));
        await mkdir(dirname(path), { recursive: true });
        await link(staging, path).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw error;
        });
      } finally {
        await rm(staging, { force: true });
      }
      return true;
    });
    return made ? openFile(path) : null;
  }

  /**
   * An image arrives whole on disk first, at the client's pace, and only then takes its turn to be
   * re-encoded: a slow or stalled upload never holds the turn that every other image waits for.
   */
  async #stageImage(bytes: Readable, mediaType: AttachmentMediaType, signal: AbortSignal | undefined): Promise<Omit<ReceivedFile, 'mediaType' | 'name'>> {
    const arrived = await this.#stagingPath();
    try {
      await pipeline(bytes, createWriteStream(arrived, { flags: 'wx', highWaterMark: 1024 * 1024 }), { signal });
      return await this.#images.run(() => this.#stage(createReadStream(arrived), mediaType, signal));
    } finally {
      await rm(arrived, { force: true });
    }
  }

  /** Writes the bytes (an image re-encoded first) to a staged file while hashing them, then stores it. */
  async #stage(bytes: Readable, mediaType: AttachmentMediaType, signal: AbortSignal | undefined): Promise<Omit<ReceivedFile, 'mediaType' | 'name'>> {
    const staging = await this.#stagingPath();
    const hasher = new HashingCounter();
    const strip = isImage(mediaType) ? this.#stripper(await loadSharp(), mediaType) : null;
    try {
      // `flush`: fsynced before it closes, and the pipeline ends only once it closed.
      const out = createWriteStream(staging, { flags: 'wx', flush: true, highWaterMark: 1024 * 1024 });
      await pipeline([bytes, ...(strip ? [strip] : []), hasher, out], { signal });
      const sha256 = hasher.digest();
      const { created } = await this.store.put({ path: staging, sha256, size: hasher.size });
      return { sha256, size: hasher.size, created };
    } catch (error) {
      throw strip && (error as Error).name !== 'AbortError' && strip.failure === error ? imageError(error as Error, mediaType, this.#maxPixels) : error;
    } finally {
      await rm(staging, { force: true });
    }
  }

  /** sharp re-encoding the image in its own format, upright, with no metadata (sharp's default keeps none). */
  #stripper(sharp: SharpFactory, mediaType: 'image/jpeg' | 'image/png' | 'image/webp'): Sharp & { failure?: unknown } {
    const image = sharp({ limitInputPixels: this.#maxPixels, failOn: 'error' }).rotate();
    const encoded = mediaType === 'image/jpeg' ? image.jpeg({ quality: 90 }) : mediaType === 'image/png' ? image.png() : image.webp({ quality: 90 });
    const tagged = encoded as Sharp & { failure?: unknown };
    tagged.once('error', (error: Error) => (tagged.failure = error));
    return tagged;
  }

  async #stagingPath(): Promise<string> {
    await mkdir(this.#stagingDir, { recursive: true });
    return join(this.#stagingDir, `${randomUUID()}.part`);
  }

  #thumbnailPath(sha256: string): string {
    const hash = checkSha256(sha256);
    return join(this.#thumbnailDir, hash.slice(0, 2), `${hash}.jpg`);
  }
}

/** The bytes of a stream, counted as they come: past `max`, PayloadTooLargeError. */
async function* countedChunks(source: Readable, max: number): AsyncGenerator<Buffer> {
  let count = 0;
  for await (const chunk of source) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    count += buffer.length;
    if (count > max) throw new PayloadTooLargeError(`the file is larger than ${max / (1024 * 1024)} MB`);
    yield buffer;
  }
}

/** At least `bytes` leading bytes (fewer when the stream ends first). */
async function readHead(chunks: AsyncIterator<Buffer>, bytes: number): Promise<{ head: Buffer; ended: boolean }> {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await chunks.next();
    if (next.done) return { head: Buffer.concat(parts), ended: true };
    parts.push(next.value);
    length += next.value.length;
  }
  return { head: Buffer.concat(parts), ended: false };
}

async function* rest(head: Buffer, ended: boolean, chunks: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  if (ended) return;
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
}

/** Passes bytes on unchanged, hashing and counting them. */
class HashingCounter extends Transform {
  readonly #hash = createHash('sha256');
  size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }

  digest(): string {
    return this.#hash.digest('hex');
  }
}

function imageError(error: Error, mediaType: AttachmentMediaType, maxPixels: number): Error {
  if (/pixel limit/i.test(error.message)) return new PayloadTooLargeError(`the image is larger than ${Math.round(maxPixels / 1_000_000)} megapixels`);
  return new UnsupportedMediaTypeError(`the file starts as ${mediaType} but is not a readable image of that type`);
}


async function openFile(path: string): Promise<OpenedBlob | null> {
  try {
    const { size } = await stat(path);
    return { stream: createReadStream(path), size };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
