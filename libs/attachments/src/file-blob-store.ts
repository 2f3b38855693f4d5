import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { checkSha256, type BlobStore, type OpenedBlob, type StagedBlob } from './blob-store.js';

/** How much of a file one read takes when it is re-hashed. */
const DIGEST_BUFFER_BYTES = 512 * 1024;

/**
 * Blobs as files: `<root>/<first two hex digits>/<sha256>`. A staged file (on the same
 * filesystem, already fsynced) comes in by a hard link, which never replaces a file that is there:
 * two uploads of the same bytes at once both succeed, and only one says it created the blob. The
 * folder is fsynced after, so the new name survives a crash.
 */
export class FileBlobStore implements BlobStore {
  constructor(readonly root: string) {}

  get description(): string {
    return `files under ${this.root}`;
  }

  pathOf(sha256: string): string {
    const hash = checkSha256(sha256);
    return join(this.root, hash.slice(0, 2), hash);
  }

  async put(staged: StagedBlob): Promise<{ created: boolean }> {
    const target = this.pathOf(staged.sha256);
    await mkdir(dirname(target), { recursive: true });
    try {
      await link(staged.path, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { created: false };
      throw error;
    }
    await syncFolder(dirname(target));
    return { created: true };
  }

  async open(sha256: string): Promise<OpenedBlob | null> {
    const path = this.pathOf(sha256);
    try {
      const handle = await open(path, 'r');
      const { size } = await handle.stat();
      return { stream: createReadStream('', { fd: handle, highWaterMark: 1024 * 1024 }), size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /**
   * Reads the file into one reused buffer: verification re-hashes every file, and a stream would
   * leave a fresh buffer of garbage behind for each chunk.
   */
  async digest(sha256: string): Promise<string | null> {
    let handle;
    try {
      handle = await open(this.pathOf(sha256), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      const hash = createHash('sha256');
      const buffer = Buffer.allocUnsafe(DIGEST_BUFFER_BYTES);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) return hash.digest('hex');
        hash.update(buffer.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
  }

  /** Whether a blob is stored (tests, and the operator's checks). */
  async has(sha256: string): Promise<boolean> {
    return stat(this.pathOf(sha256)).then(
      () => true,
      () => false,
    );
  }
}

/** fsync of a folder, so that a name just made in it is on disk. */
export async function syncFolder(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
