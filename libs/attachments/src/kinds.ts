import type { AttachmentKind, AttachmentMediaType } from '#domain';

/** The kind a file is recorded as when the uploader names none: photos, recordings, else documents. */
export function defaultAttachmentKind(mediaType: AttachmentMediaType): AttachmentKind {
  if (mediaType.startsWith('image/')) return 'photo';
  if (mediaType.startsWith('audio/')) return 'audio';
  return 'document';
}
