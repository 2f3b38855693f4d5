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
  publishRefusal,
  type Bulletin,
  type BulletinEvent,
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
  readonly actor: UserActor;
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
 * completed by the next publish call with the number already taken, instead of taking a new one.
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
    const events = decideBulletin({ type: 'ReviseBulletin', bulletinId: bulletin.id, actor, at, ...changes, caseIds }, bulletin, this.org);
    if (caseIds) await this.checkCases(actor, caseIds);
    const appended = await this.store.appendToStream(streamId, this.recorded(events, context), { expectedRevision: revision });
    return { id: bulletin.id, status: 'draft', revision: appended.nextExpectedRevision, position: appended.globalPosition };
  }

  /** Publishes a draft (see the class comment); publishing a published bulletin again answers its publication. */
  async publish(bulletinId: string, context: BulletinCommandContext): Promise<PublishedAnswer> {
    const { actor, at } = context;
    for (let attempt = 1; ; attempt++) {
      const record = await this.reader.current(actor, bulletinId);
      const { bulletin, revision } = record;
      if (bulletin.status === 'published') return publishedAnswer(record);
      const refusal = publishRefusal(actor, bulletin, this.org, bulletin.id);
      if (refusal) throw refusal;
      const items = await this.frozenItems(actor, bulletin);
      const { number, eventId } = await this.number(bulletin, context);
      const events = decideBulletin({ type: 'PublishBulletin', bulletinId: bulletin.id, actor, at, number, items, numberedBy: eventId }, bulletin, this.org);
      const published = this.recorded(events, context).map((event) => ({ ...event, id: uuidv5(eventId, PUBLISHED_EVENT_NAMESPACE) }));
      try {
        await this.store.appendToStream(bulletinStreamId(bulletin.id), published, { expectedRevision: revision });
      } catch (error) {
        // Revised or published by someone else meanwhile: read again; the register keeps this bulletin's number.
        const raced = error instanceof WrongExpectedRevisionError || error instanceof EventIdConflictError;
        if (!raced || attempt >= MAX_ATTEMPTS) throw error;
        continue;
      }
      return publishedAnswer(await this.reader.current(actor, bulletin.id));
    }
  }

  /**
   * The bulletin's number: the one the register gave it already, or the next one free, taken by
   * an append at the exact revision folded. A publication cut short at midnight on New Year's Eve
   * has its number in the year before, so that register is asked first.
   */
  private async number(bulletin: Bulletin, context: BulletinCommandContext): Promise<{ number: BulletinNumber; eventId: string }> {
    const year = bulletinYear(context.at, this.policy.timezone);
    const before = foldRegister(bulletin.unitId, year - 1, (await this.store.readStream(registerStreamId(bulletin.unitId, year - 1))).map(toRegisterEvent));
    const earlier = before.numbered.get(bulletin.id);
    if (earlier) return { number: { year: year - 1, sequence: earlier.sequence }, eventId: earlier.eventId };
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
  private async frozenItems(actor: UserActor, bulletin: Bulletin) {
    const states = await this.readableCases(actor, bulletin.caseIds);
    return states.map((state) => bulletinItemOf(state, this.org));
  }

  private async checkCases(actor: UserActor, caseIds: readonly string[]): Promise<void> {
    await this.readableCases(actor, caseIds);
  }

  /** The cases, each one the actor may read; else InvalidError naming `caseIds` (unknown and out of scope alike). */
  private async readableCases(actor: UserActor, caseIds: readonly string[]) {
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
    return { actorId: actor.userId, actorRole: 'coordinator', unitId: actor.unitId, at, correlationId, causationId: null, ...(clientRequestId ? { clientRequestId } : {}) };
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
