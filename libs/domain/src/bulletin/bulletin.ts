import { hasRole, isPublicActor, isSystemActor, type Actor } from '../actor.js';
import { DomainError, ForbiddenError, IllegalTransitionError, InvalidError, LimitReachedError } from '../errors.js';
import { unitLabel, type OrgTree } from '../org-tree.js';
import type { ExistingCase } from '../case/state.js';
import type { CaseKind } from '../case/vocabulary.js';
import { localDateTime } from '../sla/calendar.js';
import type { Language } from '../labels.js';

/**
 * 社情民意 bulletins (《社情民意》简报): a unit's coordinators gather cases into a numbered issue
 * that is reported to the leaders of the unit and of the unit above. A bulletin is one event
 * stream, `bulletin-<uuid>`: drafted, revised while a draft, then published once, with a number
 * per unit and calendar year and its items frozen as the cases stood.
 */

export const BULLETIN_STATUSES = ['draft', 'published'] as const;
export type BulletinStatus = (typeof BULLETIN_STATUSES)[number];

/** The most a bulletin takes: characters of its title and editor's note, and cases in one issue. */
export const BULLETIN_LIMITS = {
  title: 200,
  editorNote: 2000,
  items: 50,
  /** An item's summary: the case's resolution summary, or its description, cut to this many characters. */
  summary: 300,
  /** Revisions of one draft: a bulletin's stream stays small enough to read whole on every command. */
  revisions: 200,
} as const;

/** One case of a published bulletin, copied as it stood at publication: later changes to the case do not reach it. */
export type BulletinItem = {
  readonly caseId: string;
  readonly number: string;
  readonly kind: CaseKind;
  readonly title: string;
  readonly summary: string;
  /** The unit that held the case then, and its name then. */
  readonly unitId: string;
  readonly unitName: string;
};

/** The issue a bulletin was published as: its place among its unit's bulletins of that year. */
export type BulletinNumber = {
  readonly year: number;
  readonly sequence: number;
};

export type BulletinEventDataMap = {
  BulletinDrafted: { readonly bulletinId: string; readonly unitId: string; readonly title: string; readonly caseIds: readonly string[]; readonly editorNote: string | null };
  /** The draft's contents after the revision, whole. */
  BulletinRevised: { readonly title: string; readonly caseIds: readonly string[]; readonly editorNote: string | null };
  /** `numberedBy` is the id of the register's BulletinNumbered event that gave the number. */
  BulletinPublished: BulletinNumber & { readonly items: readonly BulletinItem[]; readonly numberedBy: string };
};
export type BulletinEventType = keyof BulletinEventDataMap;
export const BULLETIN_EVENT_TYPES = ['BulletinDrafted', 'BulletinRevised', 'BulletinPublished'] as const satisfies readonly BulletinEventType[];
export type BulletinEvent = { [T in BulletinEventType]: { readonly type: T; readonly data: BulletinEventDataMap[T] } }[BulletinEventType];

/** Who recorded an event, and when (the store's metadata). */
export type BulletinEventMeta = { readonly at: string; readonly actorId: string };

export type NoBulletin = { readonly status: 'none' };
export type Bulletin = {
  readonly id: string;
  readonly unitId: string;
  readonly title: string;
  readonly caseIds: readonly string[];
  readonly editorNote: string | null;
  readonly status: BulletinStatus;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  /** How many times the draft was revised. */
  readonly revisions: number;
  readonly publication: (BulletinNumber & { readonly items: readonly BulletinItem[]; readonly numberedBy: string; readonly at: string; readonly by: string }) | null;
};
export type BulletinState = NoBulletin | Bulletin;
export const NO_BULLETIN: BulletinState = { status: 'none' };

export function evolveBulletin(state: BulletinState, event: BulletinEvent, meta: BulletinEventMeta): BulletinState {
  switch (event.type) {
    case 'BulletinDrafted': {
      const { bulletinId, unitId, title, caseIds, editorNote } = event.data;
      return { id: bulletinId, unitId, title, caseIds, editorNote, status: 'draft', createdAt: meta.at, createdBy: meta.actorId, updatedAt: meta.at, revisions: 0, publication: null };
    }
    case 'BulletinRevised':
      if (state.status === 'none') return state;
      return { ...state, ...event.data, updatedAt: meta.at, revisions: state.revisions + 1 };
    case 'BulletinPublished':
      if (state.status === 'none') return state;
      return { ...state, status: 'published', updatedAt: meta.at, publication: { ...event.data, at: meta.at, by: meta.actorId } };
  }
}

export function foldBulletin(history: readonly { readonly event: BulletinEvent; readonly meta: BulletinEventMeta }[], state: BulletinState = NO_BULLETIN): BulletinState {
  return history.reduce((current, { event, meta }) => evolveBulletin(current, event, meta), state);
}

/** The bulletin the command names does not exist (or the reader may not see it: the same answer). */
export class BulletinNotFoundError extends DomainError {
  override readonly code = 'not_found';
  constructor(readonly bulletinId: string) {
    super(`unknown bulletin ${bulletinId}`);
  }
}

type CommandBase = { readonly bulletinId: string; readonly actor: Actor; readonly at: string };
export type DraftBulletin = CommandBase & { readonly type: 'DraftBulletin'; readonly unitId: string; readonly title: string; readonly caseIds: readonly string[]; readonly editorNote: string | null };
/**
 * Fields left out stay as they are; `editorNote: null` removes the note. `numbered`: whether a
 * register holds the bulletin already (a publication cut short): its contents are then settled.
 */
export type ReviseBulletin = CommandBase & {
  readonly type: 'ReviseBulletin';
  readonly title?: string;
  readonly caseIds?: readonly string[];
  readonly editorNote?: string | null;
  readonly numbered: boolean;
};
/** The number comes from the unit's register for the year, the items from the cases now: the command path supplies both. */
export type PublishBulletin = CommandBase & { readonly type: 'PublishBulletin'; readonly number: BulletinNumber; readonly items: readonly BulletinItem[]; readonly numberedBy: string };
export type BulletinCommand = DraftBulletin | ReviseBulletin | PublishBulletin;

/** The events a bulletin command records, or the rule it breaks. Pure. */
export function decideBulletin(command: BulletinCommand, state: BulletinState, org: OrgTree): BulletinEvent[] {
  switch (command.type) {
    case 'DraftBulletin': {
      if (state.status !== 'none') throw new IllegalTransitionError(`bulletin ${command.bulletinId} exists already`);
      throwIf(writeRefusal(command.actor, command.unitId, org));
      const contents = checkedContents({ title: command.title, caseIds: command.caseIds, editorNote: command.editorNote });
      return [{ type: 'BulletinDrafted', data: { bulletinId: command.bulletinId, unitId: command.unitId, ...contents } }];
    }
    case 'ReviseBulletin': {
      const draft = draftFor(command, state, org, 'revise');
      if (command.numbered) throw new IllegalTransitionError('the bulletin has its number already and is being published; it can no longer be revised');
      if (draft.revisions >= BULLETIN_LIMITS.revisions) {
        throw new LimitReachedError('revisions', BULLETIN_LIMITS.revisions, `a draft may be revised at most ${BULLETIN_LIMITS.revisions} times; draft a new bulletin instead`);
      }
      const contents = checkedContents({
        title: command.title ?? draft.title,
        caseIds: command.caseIds ?? draft.caseIds,
        editorNote: command.editorNote === undefined ? draft.editorNote : command.editorNote,
      });
      return [{ type: 'BulletinRevised', data: contents }];
    }
    case 'PublishBulletin': {
      const draft = draftFor(command, state, org, 'publish');
      const { number, items, numberedBy } = command;
      if (!Number.isInteger(number.sequence) || number.sequence < 1) throw new InvalidError('sequence', 'a bulletin’s sequence is a whole number from 1');
      const frozen = items.map((item) => item.caseId);
      if (frozen.length !== draft.caseIds.length || frozen.some((caseId, index) => caseId !== draft.caseIds[index])) {
        throw new InvalidError('caseIds', 'the items to freeze must be the draft’s cases, in its order');
      }
      return [{ type: 'BulletinPublished', data: { year: number.year, sequence: number.sequence, items, numberedBy } }];
    }
  }
}

function draftFor(command: ReviseBulletin | PublishBulletin, state: BulletinState, org: OrgTree, verb: string): Bulletin {
  if (state.status === 'none') throw new BulletinNotFoundError(command.bulletinId);
  // The engine itself completes a publication whose number was taken (see completePending).
  if (!(command.type === 'PublishBulletin' && isSystemActor(command.actor))) throwIf(writeRefusal(command.actor, state.unitId, org));
  if (state.status !== 'draft') throw publishedRefusal(verb);
  return state;
}

function publishedRefusal(verb: string): IllegalTransitionError {
  return new IllegalTransitionError(`cannot ${verb} a bulletin that is published; only a draft`);
}

/** Only the coordinators of a bulletin's own unit write it (draft, revise, publish). */
export function writeRefusal(actor: Actor, unitId: string, org: OrgTree): ForbiddenError | null {
  if (!hasRole(actor, 'coordinator')) return new ForbiddenError(`only coordinators write bulletins; ${rolesInWords(actor)} may not`);
  if (actor.unitId !== unitId) {
    const where = org.has(unitId) ? unitLabel(org.get(unitId)) : unitId;
    return new ForbiddenError(`only the coordinators of ${where} write its bulletins`);
  }
  return null;
}

/**
 * Who may read a bulletin, draft or published: staff at its unit and at the units above it (the
 * leaders it is reported to), auditors and admins among them. Bulletins are reported upward: the
 * units below never read one, since its items quote cases of other units they may not see.
 */
export function canReadBulletin(actor: Actor, bulletin: Pick<Bulletin, 'unitId'>, org: OrgTree): boolean {
  if (isSystemActor(actor)) return true;
  if (isPublicActor(actor) || !org.has(bulletin.unitId) || !org.has(actor.unitId)) return false;
  return org.isWithin(bulletin.unitId, actor.unitId);
}

/** The units whose bulletins the actor may read (the subtree of their unit): for list queries. */
export function readableBulletinUnits(actor: Actor, org: OrgTree): string[] {
  if (isSystemActor(actor)) return org.units().map((unit) => unit.id);
  if (isPublicActor(actor) || !org.has(actor.unitId)) return [];
  return org.subtreeIds(actor.unitId);
}

function checkedContents(contents: { title: string; caseIds: readonly string[]; editorNote: string | null }): BulletinEventDataMap['BulletinRevised'] {
  const title = contents.title.trim();
  if (title.length === 0) throw new InvalidError('title', 'a bulletin needs a title');
  if ([...title].length > BULLETIN_LIMITS.title) throw new InvalidError('title', `a bulletin’s title has at most ${BULLETIN_LIMITS.title} characters`);
  const { caseIds } = contents;
  if (caseIds.length === 0) throw new InvalidError('caseIds', 'a bulletin needs at least one case');
  if (caseIds.length > BULLETIN_LIMITS.items) throw new InvalidError('caseIds', `a bulletin holds at most ${BULLETIN_LIMITS.items} cases`);
  const twice = caseIds.find((caseId, index) => caseIds.indexOf(caseId) !== index);
  if (twice !== undefined) throw new InvalidError('caseIds', `case ${twice} is listed more than once`);
  const editorNote = contents.editorNote?.trim() || null;
  if (editorNote !== null && [...editorNote].length > BULLETIN_LIMITS.editorNote) {
    throw new InvalidError('editorNote', `an editor’s note has at most ${BULLETIN_LIMITS.editorNote} characters`);
  }
  return { title, caseIds, editorNote };
}

/**
 * A case as a bulletin item shows it: its number, kind, title, the unit that holds it, and a
 * summary: the summary of its resolution when it has one now (what was done), else its
 * description (what was reported), cut to BULLETIN_LIMITS.summary characters.
 */
export function bulletinItemOf(theCase: ExistingCase, org: OrgTree): BulletinItem {
  return {
    caseId: theCase.id,
    number: theCase.number,
    kind: theCase.kind,
    title: theCase.title,
    summary: clip(theCase.resolution?.summary ?? theCase.description, BULLETIN_LIMITS.summary),
    unitId: theCase.unitId,
    unitName: org.has(theCase.unitId) ? org.get(theCase.unitId).name : theCase.unitId,
  };
}

/** The calendar year of a time in the policy's time zone: a bulletin published at 2027-01-01 00:30 in Shanghai belongs to 2027. */
export function bulletinYear(at: string, timeZone: string): number {
  return Number(localDateTime(Date.parse(at), timeZone).slice(0, 4));
}

/** How an issue is named: `2026年第3期`, or `No. 3 of 2026`. */
export function issueLabel({ year, sequence }: BulletinNumber, language: Language = 'zh-CN'): string {
  return language === 'zh-CN' ? `${year}年第${sequence}期` : `No. ${sequence} of ${year}`;
}

function clip(text: string, max: number): string {
  const chars = [...text.trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

function rolesInWords(actor: Actor): string {
  return actor.roles.length === 0 ? 'a user without roles' : `${actor.roles.length === 1 ? 'role' : 'roles'} ${actor.roles.join(', ')}`;
}

function throwIf(refusal: DomainError | null): void {
  if (refusal) throw refusal;
}
