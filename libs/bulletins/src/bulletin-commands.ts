import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import {
  InvalidError,
  NO_BULLETIN,
  bulletinItemOf,
  bulletinYear,
  canRead,
  decideBulletin,
  foldRegister,
  isUuid,
  issueLabel,
  numberInRegister,
  SYSTEM_ACTOR,
  writeRefusal,
  type Actor,
  type Bulletin,
  type BulletinEvent,
  type BulletinItem,
  isSystemActor,
  type SystemActor,
  type BulletinNumber,
  type BulletinStatus,
  type CaseState,
  type OrgTree,
  type SlaPolicy,
  type UserActor,
} from '#domain';
import { EventIdConflictError, newEventId, WrongExpectedRevisionError, type EventMetadata, type EventStore, type NewEvent } from '#event-store';
import type { BulletinReader, BulletinRecord } from './bulletin-reader.js';
import { bulletinStreamId, registerStreamId, toRegisterEvent } from './bulletin-stream.js';

/** What a bulletin command answers: the bulletin's status, its stream's revision and the global position of the last event. */
export interface BulletinAnswer {
  readonly id: string;
  readonly status: BulletinStatus;
  readonly revision: number;
  readonly position: number;
}

export interface PublishedAnswer extends BulletinAnswer, BulletinNumber {
  readonly status: 'published';
  /** `2026年第3期` */
  readonly issue: string;
}

/** Who, when, and which request: what every bulletin command carries besides its fields. */
export interface BulletinCommandContext {
  /** A coordinator; the engine itself when it completes a publication cut short. */
  readonly actor: UserActor | SystemActor;
  /** The command's time (ISO 8601), from the injected clock. */
  readonly at: string;
  readonly correlationId: string;
  readonly clientRequestId?: string;
}

export interface BulletinContents {
  readonly title: string;
  readonly caseIds: readonly string[];
  readonly editorNote: string | null;
}

/** The cases the command path reads to check and freeze a bulletin's items. */
export interface CaseSource {
  current(caseId: string): Promise<{ readonly state: CaseState }>;
}

/** Where to look for publications cut short: the drafts some register may hold (see completePending). */
export interface PendingPublications {
  numberedDrafts(): Promise<readonly string[]>;
}

/** A number a register gave a bulletin, with the id of the BulletinNumbered event that gave it. */
interface NumberTaken {
  readonly number: BulletinNumber;
  readonly eventId: string;
}

/** Ids of BulletinPublished events: derived from the register event that gave the number (see publish). */
const PUBLISHED_EVENT_NAMESPACE = '5b0f3c5e-7a51-4f2e-9d0c-3e2b8f6a1c47';
/** How often a command reads again after a concurrent writer got in first: more than the publishers of one unit at one moment. */
const MAX_ATTEMPTS = 100;

/**
 * The bulletin command path: read the stream, decide, append with the revision read.
 *
 * Publishing touches two streams, and the event store has no transaction across streams. The
 * number comes first, from the unit's register for the year (`bulletin-register-<unit>-<year>`):
 * an append at the exact revision folded, retried on conflict, so numbers run 1, 2, 3… with no
 * gap and no number given twice, whatever the concurrency; the register's fold refuses to number
 * a bulletin twice, so a retry, or a second publisher of the same draft, gets the number it has.
 * Then the bulletin's BulletinPublished is appended with an event id derived from the register
 * event's id: two publishers of one draft append the same event (the store takes the second as
 * an idempotent repeat), and a publication cut short between the two appends (a crash) is
 * completed with the number already taken, by the next publish call or at the next start
 * (completePending), instead of taking a new one; meanwhile the draft can no longer be revised.
 * Everything that could refuse the publication is checked before the number is taken.
 */
export class BulletinCommands {
  constructor(
    private readonly store: EventStore,
    private readonly reader: BulletinReader,
    private readonly cases: CaseSource,
    private readonly org: OrgTree,
    private readonly policy: SlaPolicy,
  ) {}

  async draft(unitId: string, contents: BulletinContents, context: BulletinCommandContext): Promise<BulletinAnswer> {
    const { actor, at } = context;
    if (!this.org.has(unitId)) throw new InvalidError('unitId', `no unit ${unitId}`);
    const bulletinId = randomUUID();
    const caseIds = contents.caseIds.map(lowerCase);
    const events = decideBulletin({ type: 'DraftBulletin', bulletinId, actor, at, unitId, ...contents, caseIds }, NO_BULLETIN, this.org);
    await this.checkCases(actor, caseIds);
    const appended = await this.store.appendToStream(bulletinStreamId(bulletinId), this.recorded(events, context), { expectedRevision: 'no_stream' });
    return { id: bulletinId, status: 'draft', revision: appended.nextExpectedRevision, position: appended.globalPosition };
  }

  /** Revises a draft: fields left out stay, `editorNote: null` removes the note. A stale `expectedRevision` is a conflict. */
  async revise(bulletinId: string, changes: Partial<BulletinContents>, expectedRevision: number | undefined, context: BulletinCommandContext): Promise<BulletinAnswer> {
    const { actor, at } = context;
    const { bulletin, revision } = await this.reader.current(actor, bulletinId);
    const streamId = bulletinStreamId(bulletin.id);
    if (expectedRevision !== undefined && expectedRevision !== revision) throw new WrongExpectedRevisionError(streamId, expectedRevision, revision);
    const caseIds = changes.caseIds?.map(lowerCase);
    // A draft whose number is taken is settled: its publication is only waiting to be recorded.
    const numbered = bulletin.status === 'draft' && writeRefusal(actor, bulletin.unitId, this.org) === null && (await this.numberTaken(bulletin, at)) !== null;
    const events = decideBulletin({ type: 'ReviseBulletin', bulletinId: bulletin.id, actor, at, ...changes, caseIds, numbered }, bulletin, this.org);
    if (caseIds) await this.checkCases(actor, caseIds);
    const appended = await this.store.appendToStream(streamId, this.recorded(events, context), { expectedRevision: revision });
    return { id: bulletin.id, status: 'draft', revision: appended.nextExpectedRevision, position: appended.globalPosition };
  }

  /** Publishes a draft (see the class comment); publishing a published bulletin again answers its publication. */
  async publish(bulletinId: string, context: BulletinCommandContext): Promise<PublishedAnswer> {
    const { actor, at } = context;
    for (let attempt = 1; ; attempt++) {
      const record = await this.reader.current(actor, bulletinId);
      const { bulletin } = record;
      // Only its writers learn that a bulletin is published already: the others are refused first.
      const refusal = writeRefusal(actor, bulletin.unitId, this.org);
      if (refusal) throw refusal;
      if (bulletin.status === 'published') return publishedAnswer(record);
      const items = await this.frozenItems(actor, bulletin);
      const numbered = (await this.numberTaken(bulletin, at)) ?? (await this.takeNumber(bulletin, context));
      if (await this.recordPublication(record, items, numbered, context, attempt)) return publishedAnswer(await this.reader.current(actor, bulletin.id));
    }
  }

  /**
   * Completes the publications cut short between their two appends (a crash after the number was
   * taken): each draft a register holds is published by the engine with that number and its
   * cases as they stand now. Run at start; the event id is the one a publisher's retry would
   * append, so racing one is harmless. Answers the ids of the bulletins it published.
   */
  async completePending(pending: PendingPublications, at: string): Promise<string[]> {
    const completed: string[] = [];
    for (const bulletinId of await pending.numberedDrafts()) {
      const context: BulletinCommandContext = { actor: SYSTEM_ACTOR, at, correlationId: randomUUID() };
      for (let attempt = 1; ; attempt++) {
        const record = await this.reader.current(null, bulletinId);
        const numbered = record.bulletin.status === 'draft' ? await this.numberTaken(record.bulletin, at) : null;
        if (numbered === null) break;
        const items = await this.frozenItems(SYSTEM_ACTOR, record.bulletin);
        if (await this.recordPublication(record, items, numbered, context, attempt)) {
          completed.push(bulletinId);
          break;
        }
      }
    }
    return completed;
  }

  /**
   * Appends the bulletin's BulletinPublished with the number given, its id derived from the
   * register event's; false when someone revised or published it meanwhile (read again: the
   * register keeps this bulletin's number).
   */
  private async recordPublication(
    { bulletin, revision }: BulletinRecord,
    items: readonly BulletinItem[],
    { number, eventId }: NumberTaken,
    context: BulletinCommandContext,
    attempt: number,
  ): Promise<boolean> {
    const command = { type: 'PublishBulletin', bulletinId: bulletin.id, actor: context.actor, at: context.at, number, items, numberedBy: eventId } as const;
    const published = this.recorded(decideBulletin(command, bulletin, this.org), context).map((event) => ({ ...event, id: uuidv5(eventId, PUBLISHED_EVENT_NAMESPACE) }));
    try {
      await this.store.appendToStream(bulletinStreamId(bulletin.id), published, { expectedRevision: revision });
      return true;
    } catch (error) {
      const raced = error instanceof WrongExpectedRevisionError || error instanceof EventIdConflictError;
      if (!raced || attempt >= MAX_ATTEMPTS) throw error;
      return false;
    }
  }

  /**
   * The number a register gave the bulletin already, or null. It was taken in a year from the
   * one the draft was made in to this one, so those registers are read, oldest first: a
   * publication cut short and retried years later still finds its number and never gets a second.
   */
  private async numberTaken(bulletin: Bulletin, at: string): Promise<NumberTaken | null> {
    const drafted = bulletinYear(bulletin.createdAt, this.policy.timezone);
    const now = bulletinYear(at, this.policy.timezone);
    for (let year = Math.min(drafted, now); year <= Math.max(drafted, now); year++) {
      const register = foldRegister(bulletin.unitId, year, (await this.store.readStream(registerStreamId(bulletin.unitId, year))).map(toRegisterEvent));
      const known = register.numbered.get(bulletin.id);
      if (known) return { number: { year, sequence: known.sequence }, eventId: known.eventId };
    }
    return null;
  }

  /**
   * The next number free in this year's register, taken by an append at the exact revision
   * folded; or the number the bulletin got meanwhile from a concurrent publisher.
   */
  private async takeNumber(bulletin: Bulletin, context: BulletinCommandContext): Promise<NumberTaken> {
    const year = bulletinYear(context.at, this.policy.timezone);
    const streamId = registerStreamId(bulletin.unitId, year);
    for (let attempt = 1; ; attempt++) {
      const stored = await this.store.readStream(streamId);
      const register = foldRegister(bulletin.unitId, year, stored.map(toRegisterEvent));
      const { sequence, event } = numberInRegister(register, bulletin.id);
      if (event === null) return { number: { year, sequence }, eventId: register.numbered.get(bulletin.id)!.eventId };
      const id = newEventId();
      try {
        await this.store.appendToStream(streamId, [{ id, type: event.type, schemaVersion: 1, data: event.data, metadata: this.metadata(context) }], {
          expectedRevision: stored.length === 0 ? 'no_stream' : stored.at(-1)!.revision,
        });
        return { number: { year, sequence }, eventId: id };
      } catch (error) {
        // Another publication of the unit took this number first: take the next one.
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** The draft's cases as bulletin items now; each must still be one the publisher may read. */
  private async frozenItems(actor: Actor, bulletin: Bulletin) {
    const states = await this.readableCases(actor, bulletin.caseIds);
    return states.map((state) => bulletinItemOf(state, this.org));
  }

  private async checkCases(actor: Actor, caseIds: readonly string[]): Promise<void> {
    await this.readableCases(actor, caseIds);
  }

  /** The cases, each one the actor may read; else InvalidError naming `caseIds` (unknown and out of scope alike). */
  private async readableCases(actor: Actor, caseIds: readonly string[]) {
    const bad = caseIds.find((caseId) => !isUuid(caseId));
    if (bad !== undefined) throw new InvalidError('caseIds', `${bad} is not a case id`);
    const states = await Promise.all(caseIds.map(async (caseId) => (await this.cases.current(caseId)).state));
    return states.map((state, index) => {
      if (state.status === 'none' || !canRead(state, actor, this.org)) throw new InvalidError('caseIds', `no case ${caseIds[index]} in your scope`);
      return state;
    });
  }

  private recorded(events: readonly BulletinEvent[], context: BulletinCommandContext): NewEvent[] {
    const metadata = this.metadata(context);
    return events.map((event) => ({ id: newEventId(), type: event.type, schemaVersion: 1, data: event.data as unknown as Record<string, unknown>, metadata }));
  }

  private metadata({ actor, at, correlationId, clientRequestId }: BulletinCommandContext): EventMetadata {
    return { actorId: actor.userId, actorRole: isSystemActor(actor) ? 'system' : 'coordinator', unitId: actor.unitId, at, correlationId, causationId: null, ...(clientRequestId ? { clientRequestId } : {}) };
  }
}

/** Case ids as the streams name them: a UUID in capitals names the same case. */
function lowerCase(caseId: string): string {
  return caseId.toLowerCase();
}

/** A published bulletin's answer, the same for every publisher and every repeat. */
export function publishedAnswer({ bulletin, revision, events }: BulletinRecord): PublishedAnswer {
  const publication = bulletin.publication!;
  const published = events.find((event) => event.type === 'BulletinPublished')!;
  return {
    id: bulletin.id,
    status: 'published',
    issue: issueLabel(publication),
    year: publication.year,
    sequence: publication.sequence,
    revision,
    position: published.globalPosition,
  };
}
