import type { BrokenStream, EventStoreAudit, StoreVerification, StreamVerification, VerifiableEvent, VerifyStoreOptions } from '#event-store';
import type { BlobCheck } from './intake.js';
import { AttachmentSweep, checkAttachments, recordedAttachment, type AttachmentProblem, type RecordedAttachment } from './verification.js';

/** Re-hashes a stored blob: AttachmentIntake.rehash. */
export type Rehash = (sha256: string) => Promise<BlobCheck>;

/** A stream broken by a file: the attachment and the revision of its AttachmentAdded event. */
export interface BrokenAttachment extends BrokenStream {
  readonly problem: 'attachment';
  readonly attachmentId: string;
  readonly status: AttachmentProblem['status'];
  readonly message: string;
}

/** The whole-store walk with every attachment's file re-hashed as its event goes by. */
export interface StoreAndFilesVerification extends Omit<StoreVerification, 'broken'> {
  /** Broken chains (as before) and broken files (`problem: "attachment"`), in stream id order. */
  readonly broken: readonly (BrokenStream | BrokenAttachment)[];
  /** Attachment files re-hashed. */
  readonly files: number;
}

/**
 * verifyAll, and the files of the attachments its events record, re-hashed batch by batch as the
 * walk reads them (a few at once), so memory stays bounded however many files there are. A
 * changed or missing file breaks its stream: `ok` is false, with an entry naming the attachment.
 */
export async function verifyStoreAndFiles(audit: EventStoreAudit, rehash: Rehash, options: VerifyStoreOptions = {}): Promise<StoreAndFilesVerification> {
  const sweep = new AttachmentSweep(rehash);
  const result = await audit.verifyAll({
    ...options,
    onEvent: (event) => {
      sweep.see(event);
      options.onEvent?.(event);
    },
    onProgress: async (progress) => {
      await sweep.flush();
      await options.onProgress?.(progress);
    },
  });
  const files: BrokenAttachment[] = (await sweep.problems()).map(({ streamId, revision, attachmentId, status, message }) => ({
    streamId,
    revision,
    problem: 'attachment',
    attachmentId,
    status,
    message,
  }));
  // A stable sort: within a stream, a broken chain comes before its files.
  const broken = [...result.broken, ...files].sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
  return { ...result, ok: result.ok && files.length === 0, broken, files: sweep.files };
}

/** One case's verification with its attachments' files re-hashed too. */
export interface CaseVerification extends StreamVerification {
  /** Each changed or missing file (`problem: "attachment"`); empty when every file is whole. */
  readonly problems: readonly AttachmentProblem[];
  /** Attachment files re-hashed. */
  readonly files: number;
}

/**
 * Adds the files to a case's chain verification: a changed or missing file makes the case not
 * ok; when the chain itself held, `firstBrokenRevision` is the first such file's AttachmentAdded
 * and `problem` is `"attachment"`.
 */
export async function verifyCaseFiles(chain: StreamVerification, events: readonly (VerifiableEvent & { readonly type: string })[], rehash: Rehash): Promise<CaseVerification> {
  const attachments = events.map(recordedAttachment).filter((a): a is RecordedAttachment => a !== null);
  const found = await checkAttachments(attachments, rehash);
  const problems = found.map(({ streamId: _streamId, ...problem }) => problem);
  const verdict = { ...chain, problems, files: attachments.length };
  if (problems.length === 0) return verdict;
  if (!chain.ok) return verdict;
  return { ...verdict, ok: false, firstBrokenRevision: Math.min(...problems.map((p) => p.revision)), problem: 'attachment' };
}
