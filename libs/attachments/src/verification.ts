import type { BlobCheck } from './intake.js';
import { forEachParallel } from './limiter.js';

/** An attachment as an AttachmentAdded event records it, with where that event sits. */
export interface RecordedAttachment {
  readonly streamId: string;
  /** The revision of its AttachmentAdded event in the stream. */
  readonly revision: number;
  readonly attachmentId: string;
  readonly sha256: string;
}

/** A stored file that no longer matches its record. */
export interface AttachmentProblem {
  readonly problem: 'attachment';
  readonly attachmentId: string;
  readonly revision: number;
  readonly sha256: string;
  /**
   * `changed`: the bytes no longer hash to the recorded SHA-256; `missing`: no file at all;
   * `unreadable`: the store failed to answer (a bucket refusing, a disk error), said per file so
   * that one failing read does not stop the whole verification.
   */
  readonly status: Exclude<BlobCheck, 'intact'> | 'unreadable';
  readonly message: string;
}

/** The fields of an event the check reads. */
export interface AttachmentEventLike {
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly data: unknown;
}

/** How many files are re-hashed at once: reads overlap, and sha256 of each runs on its own. */
const DEFAULT_PARALLEL = 4;

/** The attachment an event records, or null for any other event. */
export function recordedAttachment(event: AttachmentEventLike): RecordedAttachment | null {
  if (event.type !== 'AttachmentAdded') return null;
  const { attachmentId, sha256 } = (event.data ?? {}) as { attachmentId?: unknown; sha256?: unknown };
  if (typeof attachmentId !== 'string' || typeof sha256 !== 'string') return null;
  return { streamId: event.streamId, revision: event.revision, attachmentId, sha256 };
}

/**
 * Re-hashes the files of recorded attachments, a few at once, and says which no longer match.
 * `rehash` answers for one SHA-256 (AttachmentIntake.rehash); a SHA-256 shared by several
 * attachments of a batch is read once.
 */
export async function checkAttachments(
  attachments: readonly RecordedAttachment[],
  rehash: (sha256: string) => Promise<BlobCheck>,
  parallel = DEFAULT_PARALLEL,
): Promise<(AttachmentProblem & { readonly streamId: string })[]> {
  const verdicts = new Map<string, BlobCheck | { readonly unreadable: string }>();
  const shaOk = (sha256: string) => /^[0-9a-f]{64}$/.test(sha256);
  await forEachParallel(new Set(attachments.map((a) => a.sha256)), parallel, async (sha256) => {
    try {
      verdicts.set(sha256, shaOk(sha256) ? await rehash(sha256) : 'missing');
    } catch (error) {
      verdicts.set(sha256, { unreadable: error instanceof Error ? error.message : String(error) });
    }
  });
  return attachments.flatMap((attachment) => {
    const verdict = verdicts.get(attachment.sha256)!;
    if (verdict === 'intact') return [];
    const which = `the file of attachment ${attachment.attachmentId} (revision ${attachment.revision})`;
    const status = typeof verdict === 'string' ? verdict : 'unreadable';
    const message =
      typeof verdict !== 'string'
        ? `${which} could not be read from the store: ${verdict.unreadable}`
        : verdict === 'missing'
          ? `${which} is missing`
          : `${which} was changed: it no longer hashes to ${attachment.sha256}`;
    return [{ problem: 'attachment' as const, streamId: attachment.streamId, attachmentId: attachment.attachmentId, revision: attachment.revision, sha256: attachment.sha256, status, message }];
  });
}

/**
 * The attachment side of a whole-store walk: `see` each event as the walk reads it, `flush` after
 * each batch (the files of that batch are re-hashed then, so memory stays bounded by the batch),
 * and `problems` at the end, in the order found.
 */
export class AttachmentSweep {
  #pending: RecordedAttachment[] = [];
  readonly #problems: (AttachmentProblem & { readonly streamId: string })[] = [];
  /** Files re-hashed and their bytes, for progress and benchmarks. */
  files = 0;

  constructor(
    private readonly rehash: (sha256: string) => Promise<BlobCheck>,
    private readonly parallel = DEFAULT_PARALLEL,
  ) {}

  see(event: AttachmentEventLike): void {
    const attachment = recordedAttachment(event);
    if (attachment) this.#pending.push(attachment);
  }

  async flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    this.files += batch.length;
    this.#problems.push(...(await checkAttachments(batch, this.rehash, this.parallel)));
  }

  /** Every problem found, after a last flush. */
  async problems(): Promise<readonly (AttachmentProblem & { readonly streamId: string })[]> {
    await this.flush();
    return this.#problems;
  }
}
