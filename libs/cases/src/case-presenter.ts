import { LANGUAGES, allowedActions, currentDeadlines, hasRole, labelsFor, type CaseClocks, type ExistingCase, type Filer, type OrgTree, type UserActor } from '#domain';
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
function seesFilerPhone(state: ExistingCase, reader: UserActor, org: OrgTree): boolean {
  return (hasRole(reader, 'clerk') || hasRole(reader, 'coordinator')) && org.isWithin(state.unitId, reader.unitId);
}

/**
 * How much of the filer a reader is shown: `whole`, the phone `masked`, or the filer `withheld`
 * (an anonymous filer shown as 匿名, no phone).
 */
export type FilerView = 'whole' | 'masked' | 'withheld';

/**
 * The one rule for showing the filer (API.md, "Masking" and "Anonymous filers"), for every view
 * and channel: an anonymous filer is named only to users whose unit is the filing unit, and the
 * phone shows whole only to a clerk or coordinator who may act on the case now. With no reader (a
 * webhook, an e-mail, a document made outside any user's session) an anonymous filer is withheld
 * and a phone masked.
 */
export function filerView(state: ExistingCase, reader: UserActor | null, org: OrgTree): FilerView {
  if (state.filer.anonymous && reader?.unitId !== state.filedUnitId) return 'withheld';
  return reader !== null && seesFilerPhone(state, reader, org) ? 'whole' : 'masked';
}

/**
 * The filer in a file that leaves the system (a spreadsheet export): an anonymous filer is
 * withheld even from the filing unit's staff, who see the name on screen (API.md, "Anonymous
 * filers": exports see 匿名 and no phone); anyone else as `filerView` has it.
 */
export function exportedFilerView(state: ExistingCase, reader: UserActor, org: OrgTree): FilerView {
  return state.filer.anonymous ? 'withheld' : filerView(state, reader, org);
}

/** The filer as a view shows it; a withheld filer is named by the label catalogue (zh-CN `匿名`, en `anonymous`). */
export function presentFiler(filer: Filer, view: FilerView): Filer {
  if (view === 'withheld' && filer.anonymous) return { name: labelsFor('zh-CN').anonymous, phone: null, anonymous: true };
  return view === 'whole' || !filer.phone ? filer : { ...filer, phone: maskPhone(filer.phone) };
}

const WITHHELD_NAMES: readonly string[] = LANGUAGES.map((language) => labelsFor(language).anonymous);

/** Whether a presented filer is the withheld form: words about it say "anonymous" in their own language. */
export function isWithheldFiler(filer: Filer): boolean {
  return filer.anonymous && filer.phone === null && WITHHELD_NAMES.includes(filer.name);
}

/** A case at some revision with its SLA clocks, as the presenters take it. */
export interface CaseAt {
  readonly state: ExistingCase;
  readonly clocks: CaseClocks;
  readonly revision: number;
}

/**
 * The case as API.md shows it, fields in a fixed order, the filer as `filerView` decides (for no
 * reader at all, a document made outside any user's session: withheld or masked). For a past
 * state, pass the view of the case now.
 */
export function presentCase({ state, clocks, revision }: CaseAt, reader: UserActor | null, org: OrgTree, view: FilerView = filerView(state, reader, org)) {
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
    filer: presentFiler(state.filer, view),
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
    attachments: state.attachments,
    // A row folded before adoptions existed has none yet.
    adoptions: state.adoptions ?? [],
    /** Filed by a resident through the public channel (the access code's digest is not shown). */
    publicFiling: state.publicAccess !== null,
    unitsVisited: state.unitsVisited,
    revision,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}

export function presentCaseWithActions(view: CaseAt, reader: UserActor, org: OrgTree) {
  return { ...presentCase(view, reader, org), allowedActions: allowedActions(view.state, reader, org, view.clocks.clocks) };
}

/**
 * A history entry; the filing event's filer is shown as in the case itself (`filerView`), and a
 * resident's filing without the digest of their access code (it is of use to no reader, and a
 * digest is something to guess against).
 */
export function presentEvent(event: RecordedEvent, view: FilerView) {
  const data = event.type === 'CaseFiled' ? presentedFiling(event.data, view) : event.data;
  const { actorId, actorRole, unitId, at, correlationId, causationId, clientRequestId, deadlines } = event.metadata as CaseEventMetadata;
  return {
    id: event.id,
    revision: event.revision,
    position: event.globalPosition,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data,
    metadata: { actorId, actorRole, unitId, at, correlationId, causationId, ...(clientRequestId ? { clientRequestId } : {}), ...(deadlines ? { deadlines } : {}) },
    prevHash: event.prevHash,
    hash: event.hash,
  };
}

function presentedFiling(data: Record<string, unknown>, view: FilerView): Record<string, unknown> {
  const { publicAccess: _digest, ...shown } = data;
  return { ...shown, filer: presentFiler(data.filer as Filer, view) };
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
