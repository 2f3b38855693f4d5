import { TEXT_LIMITS } from '#domain';

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
