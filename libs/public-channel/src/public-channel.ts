import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { CaseCommands, CaseReader, IdempotencyStore, caseStreamId } from '#cases';
import {
  InvalidError,
  PUBLIC_ACTOR,
  PUBLIC_FILING_LEVELS,
  checkPublicFilingUnit,
  type AttachmentFacts,
  type CaseKind,
  type CaseLocation,
  type ExistingCase,
  type Language,
  type OrgLevel,
  type OrgTree,
  type ResolutionOutcome,
  type Satisfaction,
} from '#domain';
import { verifyStream, type EventStore, type RecordedEvent } from '#event-store';
import type { Now } from '#runtime';
import { accessCodeDigest, accessCodeMatches, derivedAccessCode, newAccessCode } from './access-code.js';
import { publicDueAt, publicStep, publicUnitOf, type PublicUnit } from './public-narrative.js';
import type { LimitBooking, PublicLimits } from './public-limits.js';

/** The kinds a resident may file when the installation names none (API.md). */
export const DEFAULT_PUBLIC_KINDS: readonly CaseKind[] = ['suggestion', 'grievance', 'risk', 'hardship'];

/** A unit a resident may file to, with the names of the units above it, city first, and its own last. */
export interface PublicUnitEntry {
  readonly id: string;
  readonly name: string;
  readonly level: OrgLevel;
  readonly path: readonly string[];
}

/** What a resident files (API.md `POST /api/v1/public/cases`), already checked field by field. */
export interface PublicFilingInput {
  readonly kind: CaseKind;
  readonly title: string;
  readonly description: string;
  readonly unitId: string;
  readonly filer: { readonly name?: string; readonly phone?: string; readonly anonymous: boolean };
  readonly location?: CaseLocation;
  readonly occurredAt?: string;
}

export interface PublicFilingAnswer {
  readonly number: string;
  /** Shown once: only its digest is kept. */
  readonly accessCode: string;
  /** The hash of the CaseFiled event: what `GET /public/receipts/{hash}` checks. */
  readonly receipt: { readonly hash: string; readonly position: number; readonly filedAt: string };
}

/** Where a filing came from, for the events' metadata and the idempotency key's scope. */
export interface PublicRequest {
  readonly correlationId: string;
  readonly clientRequestId?: string;
  readonly idempotencyKey?: string;
  /** Whose keys these are: residents on the web by default, an Open311 client its own. */
  readonly idempotencyScope?: string;
  /** The body as the client sent it (files as their hashes), for the idempotency check. */
  readonly idempotencyBody?: unknown;
}

/** A case as its filer follows it (API.md `GET /api/v1/public/cases/{number}`): no names, phones, notes or user ids. */
export interface PublicCaseView {
  readonly number: string;
  readonly kind: CaseKind;
  readonly title: string;
  readonly status: ExistingCase['status'];
  readonly unit: PublicUnit;
  readonly filedAt: string;
  /** The running resolve deadline, else the running accept deadline; null when no clock runs. */
  readonly dueAt: string | null;
  readonly timeline: readonly { readonly at: string; readonly type: string; readonly text: string }[];
  readonly resolution?: { readonly outcome: ResolutionOutcome; readonly summary: string };
  readonly feedbackOpen: boolean;
}

/** What filing answers: 201 and the answer, the first filing's when an idempotent retry replays it. */
export interface PublicFilingResponse {
  readonly statusCode: number;
  readonly body: PublicFilingAnswer;
  readonly replayed: boolean;
}

export interface ReceiptCheck {
  readonly number: string;
  readonly filedAt: string;
  readonly position: number;
  /** The filing event is in the log with this hash, and its stream's chain verifies. */
  readonly intact: boolean;
}

/** The idempotency scope of every resident: keys are random per form, so one scope for all is safe. */
const PUBLIC_IDEMPOTENCY_SCOPE = 'public';

/** What filing answers, read off the CaseFiled event. */
function filingAnswer(filed: RecordedEvent, accessCode: string): PublicFilingAnswer {
  return {
    number: String(filed.data.number),
    accessCode,
    receipt: { hash: filed.hash, position: filed.globalPosition, filedAt: String(filed.metadata.at) },
  };
}

/** Not found, in words that never say which part was wrong. */
export class PublicNotFoundError extends Error {
  readonly code = 'not_found';
  constructor(message: string) {
    super(message);
    this.name = 'PublicNotFoundError';
  }
}

const NO_SUCH_CASE = 'no case with this number and access code';
const NO_SUCH_RECEIPT = 'no filing has this receipt';

/**
 * The resident's side of the engine (API.md, "The resident's channel"): filing without an
 * account, following the case with the access code, rating the answer, checking a receipt. Every
 * command goes through the one command path as the public actor.
 */
export class PublicChannel {
  constructor(
    private readonly deps: {
      readonly pool: Pool;
      readonly commands: CaseCommands;
      readonly reader: CaseReader;
      readonly store: Pick<EventStore, 'readStream'>;
      readonly idempotency: IdempotencyStore;
      readonly limits: PublicLimits;
      readonly org: OrgTree;
      readonly now: Now;
      readonly kinds: readonly CaseKind[];
      /** The installation's secret (the token secret): what keyed filings' codes are derived with. */
      readonly codeSecret: () => Promise<string>;
    },
  ) {}

  units(): PublicUnitEntry[] {
    const { org } = this.deps;
    return org
      .units()
      .filter((unit) => PUBLIC_FILING_LEVELS.includes(unit.level))
      .map((unit) => ({ id: unit.id, name: unit.name, level: unit.level, path: [...org.ancestors(unit.id).reverse().map((above) => above.name), unit.name] }));
  }

  kinds(): readonly CaseKind[] {
    return this.deps.kinds;
  }

  /** Counts a filing against the client address's hourly limit; withdraw it when the filing does not happen. */
  bookFiling(clientAddress: string): Promise<LimitBooking> {
    return this.deps.limits.book('filing', clientAddress, this.deps.now());
  }

  withdraw(booking: LimitBooking): Promise<void> {
    return this.deps.limits.withdraw(booking);
  }

  /**
   * Files the case at `unitId` as the public actor, with channel `web` and the files already
   * stored for it. With an idempotency key, a retry of the same body answers the first filing.
   */
  async file(input: PublicFilingInput, attachments: readonly AttachmentFacts[], request: PublicRequest): Promise<PublicFilingResponse> {
    this.checkFiling(input);
    const { idempotency, store, codeSecret } = this.deps;
    const key = request.idempotencyKey;
    if (key === undefined) return { statusCode: 201, body: await this.fileOnce(randomUUID(), newAccessCode(), input, attachments, request), replayed: false };
    // Keyed filings: the key fixes the case id, and the case id (with the secret) the code, so
    // the table of keys keeps the answer without its code and any retry gets the same code back.
    const scope = request.idempotencyScope ?? PUBLIC_IDEMPOTENCY_SCOPE;
    const caseId = idempotency.caseIdFor(scope, key);
    const accessCode = derivedAccessCode(await codeSecret(), caseId);
    const stored = await idempotency.claim(scope, key, IdempotencyStore.hashBody(request.idempotencyBody ?? input));
    if (stored) {
      const { number, receipt } = stored.body as Omit<PublicFilingAnswer, 'accessCode'>;
      return { statusCode: stored.statusCode, body: { number, accessCode, receipt: { hash: receipt.hash, position: receipt.position, filedAt: receipt.filedAt } }, replayed: true };
    }
    let answer: PublicFilingAnswer;
    let replayed = false;
    try {
      answer = await this.fileOnce(caseId, accessCode, input, attachments, request);
    } catch (error) {
      // A retry racing this one filed first: answer that filing. Only a key whose filing did not
      // happen is freed, so that a racing retry never frees the claim of the one in flight.
      const first = (await store.readStream(caseStreamId(caseId), { maxCount: 1 }))[0];
      if (!first) {
        await idempotency.release(scope, key);
        throw error;
      }
      answer = filingAnswer(first, accessCode);
      replayed = true;
    }
    const { accessCode: _shownOnly, ...kept } = answer;
    await idempotency.remember(scope, key, { statusCode: 201, body: kept });
    return { statusCode: 201, body: answer, replayed };
  }

  /** The case as its filer may see it, given the number and the access code. */
  async track(number: string, code: string, clientAddress: string, language: Language): Promise<PublicCaseView> {
    const { state, clocks } = await this.openWithCode(number, code, clientAddress);
    const events = await this.deps.store.readStream(caseStreamId(state.id));
    const unitOf = (unitId: string) => publicUnitOf(this.deps.org, unitId);
    const timeline = events.flatMap((event) => {
      const text = publicStep(language, event.type, event.data, unitOf);
      return text === null ? [] : [{ at: String(event.metadata.at), type: event.type, text }];
    });
    return {
      number: state.number,
      kind: state.kind,
      title: state.title,
      status: state.status,
      unit: unitOf(state.unitId),
      filedAt: state.createdAt,
      dueAt: publicDueAt(clocks.clocks),
      timeline,
      ...(state.resolution ? { resolution: { outcome: state.resolution.outcome, summary: state.resolution.summary } } : {}),
      feedbackOpen: state.status === 'resolved',
    };
  }

  /** The filer rates the answer of a resolved case: recorded as feedback by the public actor. */
  async feedback(number: string, code: string, rating: { satisfaction: Satisfaction; comment?: string }, clientAddress: string, request: PublicRequest) {
    const { state } = await this.openWithCode(number, code, clientAddress);
    const result = await this.deps.commands.execute(
      { type: 'RecordFeedback', caseId: state.id, actor: PUBLIC_ACTOR, at: this.deps.now().toISOString(), satisfaction: rating.satisfaction, comment: rating.comment },
      { correlationId: request.correlationId, clientRequestId: request.clientRequestId },
    );
    return { number: result.number, status: result.status };
  }

  /** Whether a receipt's filing is still in the log as it was filed. Unknown hashes are not found. */
  async receipt(hash: string): Promise<ReceiptCheck> {
    const normalised = hash.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(normalised)) throw new PublicNotFoundError(NO_SUCH_RECEIPT);
    const { rows } = await this.deps.pool.query<{ case_id: string; number: string; position: string; filed_at: Date }>(
      'SELECT case_id, number, position, filed_at FROM public_filings WHERE receipt_hash = $1',
      [normalised],
    );
    const row = rows[0];
    if (!row) throw new PublicNotFoundError(NO_SUCH_RECEIPT);
    const record = await this.deps.reader.verifiable(null, row.case_id);
    const filing = record.events[0];
    const intact = filing?.type === 'CaseFiled' && filing.hash === normalised && verifyStream(record.events, record.head).ok;
    return { number: row.number, filedAt: row.filed_at.toISOString(), position: Number(row.position), intact };
  }

  /**
   * What can be told of a filing before its files are read: a kind open to the public, and one of
   * the units `units()` lists (decide holds the rule on levels; this is its early answer).
   */
  checkFiling(input: PublicFilingInput): void {
    if (!this.deps.kinds.includes(input.kind)) {
      throw new InvalidError('kind', `residents may file ${this.deps.kinds.join(', ')}; not ${input.kind}`);
    }
    if (!this.deps.org.has(input.unitId)) throw new InvalidError('unitId', `no unit ${input.unitId}`);
    checkPublicFilingUnit(input.unitId, this.deps.org);
  }

  private async fileOnce(caseId: string, accessCode: string, input: PublicFilingInput, attachments: readonly AttachmentFacts[], request: PublicRequest): Promise<PublicFilingAnswer> {
    const { filer } = input;
    await this.deps.commands.execute(
      {
        type: 'FileCase',
        caseId,
        actor: PUBLIC_ACTOR,
        at: this.deps.now().toISOString(),
        kind: input.kind,
        title: input.title,
        description: input.description,
        channel: 'web',
        unitId: input.unitId,
        filer: { name: filer.name?.trim() ?? '', phone: filer.phone?.trim() || null, anonymous: filer.anonymous },
        ...(input.location ? { location: input.location } : {}),
        ...(input.occurredAt ? { occurredAt: input.occurredAt } : {}),
        attachments: [...attachments],
        publicAccess: { codeDigest: accessCodeDigest(caseId, accessCode) },
      },
      { correlationId: request.correlationId, clientRequestId: request.clientRequestId },
    );
    const filed = (await this.deps.store.readStream(caseStreamId(caseId), { maxCount: 1 }))[0]!;
    return filingAnswer(filed, accessCode);
  }

  /**
   * The case behind a number, if the code is its access code. Every look-up counts as a wrong
   * guess until the code proves right, so a burst of guesses cannot pass the limit together; an
   * unknown number and a wrong code are the same not-found.
   */
  private async openWithCode(number: string, code: string, clientAddress: string) {
    const { limits, pool, reader, now } = this.deps;
    const booking = await limits.book('wrongCode', clientAddress, now());
    const { rows } = await pool.query<{ case_id: string }>('SELECT case_id FROM public_filings WHERE number = $1', [number.trim().toUpperCase()]);
    const caseId = rows[0]?.case_id;
    if (caseId) {
      // The kept fold, not the whole stream: rating a case needs no more.
      const record = await reader.current(null, caseId);
      const digest = record.state.publicAccess?.codeDigest;
      if (digest && accessCodeMatches(caseId, code, digest)) {
        await limits.withdraw(booking);
        return record;
      }
    }
    throw new PublicNotFoundError(NO_SUCH_CASE);
  }
}
