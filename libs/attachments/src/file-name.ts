import { TEXT_LIMITS, type AttachmentMediaType } from '#domain';

/**
 * A client's file name as the case records it: the last segment of any path (either slash),
 * without control or bidirectional-override characters, trimmed, at most
 * TEXT_LIMITS.attachmentName characters (the extension kept when it is cut); `fallback` when
 * nothing is left.
 */
export function cleanFileName(raw: string | undefined | null, fallback = 'file'): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  // C0/C1 controls, DEL, and the invisible marks that can make a name read backwards.
  const visible = base.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '').trim();
  const name = visible === '.' || visible === '..' ? '' : visible;
  if (name === '') return fallback;
  const chars = [...name];
  const max = TEXT_LIMITS.attachmentName;
  if (chars.length <= max) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? [...name.slice(dot)] : [];
  if (extension.length > 0 && extension.length <= 16) return [...chars.slice(0, max - extension.length), ...extension].join('');
  return chars.slice(0, max).join('');
}

/** The extension each accepted type is saved under. */
const EXTENSIONS: Readonly<Record<AttachmentMediaType, string>> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/webp': '.webp',
  'application/pdf': '.pdf',
  'audio/mpeg': '.mp3',
  'audio/mp4': '.m4a',
  'audio/wav': '.wav',
};

/**
 * The name a download is saved under: the recorded name with the extension of the type its
 * content was read as. A file whose first bytes pass as one type and whose name says another
 * (`录音.hta` starting like an MP3) is never saved where a double click would run it.
 */
export function downloadName(name: string, mediaType: AttachmentMediaType): string {
  const extension = EXTENSIONS[mediaType];
  if (name.toLowerCase().endsWith(extension) || (extension === '.jpg' && /\.jpe?g$/i.test(name))) return name;
  const dot = name.lastIndexOf('.');
  return `${dot > 0 ? name.slice(0, dot) : name}${extension}`;
}
