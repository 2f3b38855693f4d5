import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** A file written whole to the staging folder, with the SHA-256 and size of its bytes. */
export interface StagedBlob {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

/** A stored blob's bytes, to stream out. */
export interface OpenedBlob {
  readonly stream: Readable;
  readonly size: number;
}

/**
 * Content-addressed storage of attachment bytes: a blob is named by the hex SHA-256 of its bytes,
 * so the same file stored twice is one blob. Adapters: files under the data folder
 * (FileBlobStore) and an S3-compatible bucket (S3BlobStore).
 */
export interface BlobStore {
  /** Where it keeps blobs, in words, for logs. */
  readonly description: string;
  /**
   * Stores a staged file under its hash. `created` is false when the blob was there already; the
   * staged file is left for the caller to remove either way.
   */
  put(staged: StagedBlob): Promise<{ readonly created: boolean }>;
  /** The blob's bytes, or null when there is none under that hash. */
  open(sha256: string): Promise<OpenedBlob | null>;
  /** Removes the blob; a missing one is not an error. */
  remove(sha256: string): Promise<void>;
  /** The hex SHA-256 of the blob's bytes as stored now, or null when there is none. */
  digest(sha256: string): Promise<string | null>;
}

/** The SHA-256 of a stream's bytes (for stores that can only stream). */
export async function digestStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Guards every path and key built from a hash: only 64 lower-case hex digits name a blob. */
export function checkSha256(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new RangeError(`"${sha256}" is not a hex SHA-256`);
  return sha256;
}
