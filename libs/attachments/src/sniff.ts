import { fileTypeFromBuffer } from 'file-type';
import { ATTACHMENT_MEDIA_TYPES, type AttachmentMediaType } from '#domain';
import { UnsupportedMediaTypeError } from './errors.js';

/**
 * How many leading bytes the type is read from: file-type needs a few KB for most formats; more
 * lets it look past an MP3's ID3 tag to the audio frames.
 */
export const SNIFF_BYTES = 64 * 1024;

/** What file-type calls the accepted types, where its name differs from ours. */
const ALIASES: Readonly<Record<string, AttachmentMediaType>> = {
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/vnd.wave': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/x-wav': 'audio/wav',
};

const ACCEPTED = new Set<string>(ATTACHMENT_MEDIA_TYPES);

const ACCEPTED_IN_WORDS = 'JPEG, PNG or WebP image, PDF, MP3, M4A or WAV';

/** The accepted type of a file, read from its first bytes alone (never its name or a header). */
export async function sniffMediaType(head: Uint8Array): Promise<AttachmentMediaType> {
  const found = head.length === 0 ? undefined : await fileTypeFromBuffer(head);
  const mime = found ? (ALIASES[found.mime] ?? found.mime) : undefined;
  if (mime !== undefined && ACCEPTED.has(mime)) return mime as AttachmentMediaType;
  const what = head.length === 0 ? 'the file is empty' : found ? `the file's content is ${found.mime}` : "the file's type cannot be recognised from its content";
  throw new UnsupportedMediaTypeError(`${what}; accepted: ${ACCEPTED_IN_WORDS}`);
}

/** Whether sharp re-encodes this type (to drop its metadata). */
export function isImage(mediaType: AttachmentMediaType): mediaType is 'image/jpeg' | 'image/png' | 'image/webp' {
  return mediaType === 'image/jpeg' || mediaType === 'image/png' || mediaType === 'image/webp';
}
