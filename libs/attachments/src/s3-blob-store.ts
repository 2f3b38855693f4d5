import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { checkSha256, digestStream, type BlobStore, type OpenedBlob, type StagedBlob } from './blob-store.js';

/** An S3-compatible bucket (ATTACHMENTS_S3_*). */
export interface S3Settings {
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

/**
 * Blobs as objects `attachments/<sha256>` in an S3-compatible bucket, addressed by path (MinIO,
 * Ceph and most self-hosted stores want that). An object is uploaded from the staged file as a
 * stream with its length, so the process never holds a file in memory. Checksums are sent only
 * where the API requires them: many S3-compatible servers refuse the SDK's chunked checksum
 * uploads.
 */
export class S3BlobStore implements BlobStore {
  readonly #client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.#client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: true,
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  get description(): string {
    return `S3 bucket ${this.settings.bucket} at ${this.settings.endpoint}`;
  }

  keyOf(sha256: string): string {
    return `attachments/${checkSha256(sha256)}`;
  }

  async put(staged: StagedBlob): Promise<{ created: boolean }> {
    const Key = this.keyOf(staged.sha256);
    if (await this.#exists(Key)) return { created: false };
    await this.#client.send(
      new PutObjectCommand({ Bucket: this.settings.bucket, Key, Body: createReadStream(staged.path), ContentLength: staged.size, ContentType: 'application/octet-stream' }),
    );
    return { created: true };
  }

  async open(sha256: string): Promise<OpenedBlob | null> {
    try {
      const object = await this.#client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.keyOf(sha256) }));
      const body = object.Body;
      if (!(body instanceof Readable)) throw new Error('the S3 client returned a body that is not a Node stream');
      return { stream: body, size: object.ContentLength ?? 0 };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async remove(sha256: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.keyOf(sha256) }));
  }

  async digest(sha256: string): Promise<string | null> {
    const blob = await this.open(sha256);
    return blob && digestStream(blob.stream);
  }

  destroy(): void {
    this.#client.destroy();
  }

  async #exists(Key: string): Promise<boolean> {
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404);
}
