import { TEXT_LIMITS, type CaseKind } from '#domain';
import type { PublicUnit } from '../api/types.js';
import { checkChoice, checkPhone, checkText, collect, type Problems } from './problems.js';

/** The opinion mailbox's form as typed, before it becomes the `case` part of `POST /api/v1/public/cases`. */
export interface MailboxDraft {
  readonly kind: CaseKind | '';
  readonly title: string;
  readonly description: string;
  readonly unitId: string;
  readonly name: string;
  readonly phone: string;
  readonly anonymous: boolean;
  readonly address: string;
}

export const EMPTY_MAILBOX_DRAFT: MailboxDraft = {
  kind: '',
  title: '',
  description: '',
  unitId: '',
  name: '',
  phone: '',
  anonymous: false,
  address: '',
};

/** The API's checks on a public filing, keyed by its field paths, so mistakes show before sending. */
export function checkMailbox(draft: MailboxDraft, kinds: readonly string[], unitIds: readonly string[]): Problems {
  return collect({
    unitId: checkChoice(draft.unitId, unitIds, true),
    kind: checkChoice(draft.kind, kinds, true),
    title: checkText(draft.title, { required: true, max: TEXT_LIMITS.title }),
    description: checkText(draft.description, { required: true, max: TEXT_LIMITS.description }),
    'filer.name': checkText(draft.name, { required: false, max: TEXT_LIMITS.personName }),
    'filer.phone': checkPhone(draft.phone.trim()),
    'location.address': checkText(draft.address, { required: false, max: TEXT_LIMITS.address }),
  });
}

/** The `case` part: fields left empty are left out. */
export function mailboxBody(draft: MailboxDraft): Record<string, unknown> {
  const filer: Record<string, unknown> = { anonymous: draft.anonymous };
  if (draft.name.trim() !== '') filer.name = draft.name.trim();
  if (draft.phone.trim() !== '') filer.phone = draft.phone.trim();
  return {
    kind: draft.kind,
    title: draft.title.trim(),
    description: draft.description.trim(),
    unitId: draft.unitId,
    filer,
    ...(draft.address.trim() !== '' ? { location: { address: draft.address.trim() } } : {}),
  };
}

// Units: found by typing, or chosen level by level.

/** The names from the city down to the unit itself. */
export function unitChain(unit: PublicUnit): readonly string[] {
  return unit.path.at(-1) === unit.name ? unit.path : [...unit.path, unit.name];
}

/** How a unit reads in a list: its chain below the city (东关街道 › 东关社区). */
export function unitTrail(unit: PublicUnit): string {
  return unitChain(unit).slice(1).join(' › ') || unit.name;
}

function normal(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

/**
 * The units a typed text names: every word of it is found in the unit's name or a name above it
 * (河东 社区, 东关). Units whose own name holds the text come first, communities before grids.
 */
export function searchUnits(units: readonly PublicUnit[], text: string, limit = 20): readonly PublicUnit[] {
  const words = text.split(/\s+/).map(normal).filter(Boolean);
  if (words.length === 0) return [];
  const whole = normal(text);
  const found = units.filter((unit) => {
    const chain = normal(unitChain(unit).join(''));
    return words.every((word) => chain.includes(word));
  });
  const rank = (unit: PublicUnit) => (normal(unit.name).includes(whole) ? 0 : 2) + (unit.level === 'community' ? 0 : 1);
  return found
    .map((unit, index) => ({ unit, index }))
    .sort((a, b) => rank(a.unit) - rank(b.unit) || a.index - b.index)
    .slice(0, limit)
    .map((entry) => entry.unit);
}

/** One choice at a step of the path: a name, and the unit it is when a resident may file to it. */
export interface PathChoice {
  readonly name: string;
  readonly unit: PublicUnit | null;
}

function startsWith(chain: readonly string[], prefix: readonly string[]): boolean {
  return prefix.every((name, i) => chain[i] === name);
}

/** The names one step below `picked` (city, then county, town, community, grid), in the list's order. */
export function choicesBelow(units: readonly PublicUnit[], picked: readonly string[]): readonly PathChoice[] {
  const choices = new Map<string, PathChoice>();
  for (const unit of units) {
    const chain = unitChain(unit);
    if (chain.length <= picked.length || !startsWith(chain, picked)) continue;
    const name = chain[picked.length]!;
    const here = chain.length === picked.length + 1 ? unit : null;
    const before = choices.get(name);
    if (!before || (here && !before.unit)) choices.set(name, { name, unit: here ?? before?.unit ?? null });
  }
  return [...choices.values()];
}

/** The unit `picked` ends at, if a resident may file there. */
export function unitAtPath(units: readonly PublicUnit[], picked: readonly string[]): PublicUnit | null {
  if (picked.length === 0) return null;
  return units.find((unit) => {
    const chain = unitChain(unit);
    return chain.length === picked.length && startsWith(chain, picked);
  }) ?? null;
}

// Files.

export const MAX_FILES = 5;
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

/** The types the server accepts (it reads them from the content), and the names browsers give them. */
const ACCEPTED: Readonly<Record<string, readonly string[]>> = {
  'image/jpeg': ['jpg', 'jpeg'],
  'image/png': ['png'],
  'image/webp': ['webp'],
  'application/pdf': ['pdf'],
  'audio/mpeg': ['mp3'],
  'audio/mp4': ['m4a'],
  'audio/wav': ['wav'],
};
const ALIASES: Readonly<Record<string, string>> = {
  'image/jpg': 'image/jpeg',
  'audio/mp3': 'audio/mpeg',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
};

/** What the file picker offers. */
export const FILE_ACCEPT = [...Object.keys(ACCEPTED), ...Object.values(ACCEPTED).flat().map((ext) => `.${ext}`)].join(',');

/** The accepted type a file seems to be, by the browser's type or else its name; null when it is none of them. */
export function fileType(file: { readonly name: string; readonly type: string }): string | null {
  const type = ALIASES[file.type] ?? file.type;
  if (type in ACCEPTED) return type;
  const extension = file.name.split('.').pop()?.toLowerCase() ?? '';
  return Object.entries(ACCEPTED).find(([, extensions]) => extensions.includes(extension))?.[0] ?? null;
}

export type FileProblem = 'type' | 'size' | 'empty' | 'count';

/** Why a picked file cannot go with the filing, or null when it can. */
export function fileProblem(file: { readonly name: string; readonly type: string; readonly size: number }): FileProblem | null {
  if (fileType(file) === null) return 'type';
  if (file.size === 0) return 'empty';
  if (file.size > MAX_FILE_BYTES) return 'size';
  return null;
}

/** A size as people read it: 512 KB, 3.4 MB. */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The time a refused resident may try again, `seconds` (from Retry-After) from `now`. */
export function retryAt(seconds: number | undefined, now = Date.now()): Date | null {
  return seconds === undefined ? null : new Date(now + seconds * 1000);
}

/** Minutes to wait, rounded up, at least one. */
export function waitMinutes(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

/** The tracking link a receipt's QR code holds. */
export function trackingLink(origin: string, number: string, code: string): string {
  return `${origin}/track?${new URLSearchParams({ number, code }).toString()}`;
}
