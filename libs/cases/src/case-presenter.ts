import { allowedActions, currentDeadlines, hasRole, type CaseClocks, type ExistingCase, type Filer, type OrgTree, type UserActor } from '#domain';
import type { RecordedEvent } from '#event-store';
import type { CaseEventMetadata } from './case-stream.js';

/**
 * How the API shows a case and its events (API.md), shared by every reader of cases: the HTTP
 * layer, and the dossiers and tools built on the same view.
 */

/** Digits a masked phone shows: a mobile number (11 digits or more) its first 3 and last 4, a shorter one its last 2. */
const MOBILE_DIGITS = 11;
/** Shorter than this, a number is all stars: 2 shown digits would be most of it. */
const MIN_DIGITS_SHOWING_ANY = 6;

/**
 * A phone as readers who may not act on the case see it (API.md): `13812345678` → `138****5678`,
 * `87654321` → `******21`; every other digit is a star, and separators are dropped.
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length >= MOBILE_DIGITS) return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
  if (digits.length < MIN_DIGITS_SHOWING_ANY) return '*'.repeat(digits.length);
  return `${'*'.repeat(digits.length - 2)}${digits.slice(-2)}`;
}

/** Only a clerk or coordinator who may act on the case (its current unit in their subtree) sees the filer's phone. */
export function seesFilerPhone(state: ExistingCase, reader: UserActor, org: OrgTree): boolean {
  return (hasRole(reader, 'clerk') || hasRole(reader, 'coordinator')) && org.isWithin(state.unitId, reader.unitId);
}

function filerFor(filer: Filer, unmasked: boolean): Filer {
  return unmasked || !filer.phone ? filer : { ...filer, phone: maskPhone(filer.phone) };
}

/** A case at some revision with its SLA clocks, as the presenters take it. */
export interface CaseAt {
  readonly state: ExistingCase;
  readonly clocks: CaseClocks;
  readonly revision: number;
}

/**
 * The case as API.md shows it, fields in a fixed order, the phone masked for readers who may not
 * act on it (and for no reader at all: a document made outside any user's session). For a past
 * state, pass whether the reader may act on the case now.
 */
export function presentCase(
  { state, clocks, revision }: CaseAt,
  reader: UserActor | null,
  org: OrgTree,
  unmaskedPhone = reader !== null && seesFilerPhone(state, reader, org),
) {
  return {
    id: state.id,
    number: state.number,
    kind: state.kind,
    title: state.title,
    description: state.description,
    status: state.status,
    unitId: state.unitId,
    filedUnitId: state.filedUnitId,
    assigneeId: state.assigneeId,
    urgency: state.urgency,
    channel: state.channel,
    filer: filerFor(state.filer, unmaskedPhone),
    parties: state.parties,
    visitReason: state.visitReason,
    occurredAt: state.occurredAt,
    location: state.location,
    notes: state.notes,
    annotations: state.annotations,
    pendingAnnotation: state.pendingAnnotation,
    deadlines: currentDeadlines(clocks.clocks),
    supervised: state.supervised,
    resolution: state.resolution,
    feedback: state.feedback,
    mergedIntoCaseId: state.mergedIntoCaseId,
    extensions: state.extensions,
    unitsVisited: state.unitsVisited,
    revision,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}

export function presentCaseWithActions(view: CaseAt, reader: UserActor, org: OrgTree) {
  return { ...presentCase(view, reader, org), allowedActions: allowedActions(view.state, reader, org, view.clocks.clocks) };
}

/** A history entry; the filing event's phone is masked as in the case itself. */
export function presentEvent(event: RecordedEvent, unmaskedPhone: boolean) {
  const data = event.type === 'CaseFiled' && !unmaskedPhone ? { ...event.data, filer: filerFor(event.data.filer as Filer, false) } : event.data;
  const { actorId, actorRole, unitId, at, correlationId, causationId, deadlines } = event.metadata as CaseEventMetadata;
  return {
    id: event.id,
    revision: event.revision,
    position: event.globalPosition,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data,
    metadata: { actorId, actorRole, unitId, at, correlationId, causationId, ...(deadlines ? { deadlines } : {}) },
    prevHash: event.prevHash,
    hash: event.hash,
  };
}

/** A fellow worker as a case names them: its assignee, the coordinators it may be assigned to. Their roles are not shown. */
export interface Colleague {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly unitId: string;
}

/** Just the colleague's fields of a user record (which also holds their roles). */
export function asColleague({ id, username, displayName, unitId }: Colleague): Colleague {
  return { id, username, displayName, unitId };
}
