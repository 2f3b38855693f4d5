import type { CaseEvent, CaseEventDataMap, CaseEventMeta, CaseEventWithMeta } from './events.js';
import { initialState, type CaseState, type ExistingCase } from './state.js';
import type { NoteType } from './vocabulary.js';

/**
 * The lists one fold has made itself. No caller has seen them before the fold returns, so the
 * fold appends to them in place rather than copying a list for every entry it adds (which would
 * make folding a case quadratic in its notes). Lists the fold did not make (those of the state it
 * starts from) are copied once, on their first append. Null: a single step, which copies.
 */
type FoldLists = Set<readonly unknown[]> | null;

/**
 * Applies one recorded event. Events are facts that decide already checked, so evolve only
 * records them; it throws only on a stream that cannot be (an event before filing, or a second filing).
 * Folding many events: use `fold`, which costs time linear in them.
 */
export function evolve(state: CaseState, event: CaseEvent, meta: CaseEventMeta): CaseState {
  return step(state, event, meta, null);
}

function step(state: CaseState, event: CaseEvent, meta: CaseEventMeta, lists: FoldLists): CaseState {
  if (event.type === 'CaseFiled') {
    if (state.status !== 'none') throw new Error(`case ${state.id} is filed twice in its stream`);
    return filedCase(event.data, meta);
  }
  if (state.status === 'none') throw new Error(`${event.type} comes before CaseFiled in a case stream`);

  const current: ExistingCase = { ...state, updatedAt: meta.at };
  switch (event.type) {
    case 'CaseAccepted': {
      const { note } = event.data;
      const accepted: ExistingCase = { ...current, status: 'in_coordination' };
      return note === null ? accepted : withNote(accepted, 'note', note, meta, lists);
    }
    case 'CaseRejected':
      return { ...current, status: 'rejected' };
    case 'CaseAssigned':
      return { ...current, assigneeId: event.data.assigneeId };
    case 'NoteAdded':
      return withNote(current, event.data.noteType, event.data.text, meta, lists);
    case 'CaseTransferred':
    case 'CaseEscalated':
      return { ...moveTo(current, event.data.toUnitId, lists), status: 'filed' };
    case 'AnnotationRequested':
      return {
        ...current,
        status: 'awaiting_annotation',
        pendingAnnotation: { summary: event.data.summary, requestedBy: meta.actorId, at: meta.at },
      };
    case 'CaseAnnotated': {
      const { instruction, assignToUnitId } = event.data;
      const annotated: ExistingCase = {
        ...current,
        status: 'in_coordination',
        pendingAnnotation: null,
        annotations: appended(current.annotations, { instruction, assignToUnitId, actorId: meta.actorId, at: meta.at }, lists),
      };
      return assignToUnitId === null ? annotated : { ...moveTo(annotated, assignToUnitId, lists), supervised: true };
    }
    case 'CaseResolved':
      return { ...current, status: 'resolved', resolution: { ...event.data, at: meta.at } };
    case 'FeedbackRecorded': {
      const { satisfaction, comment } = event.data;
      const entry = { satisfaction, comment, at: meta.at, selfRated: meta.actorRole === 'public' };
      const withFeedback: ExistingCase = { ...current, feedback: appended(current.feedback, entry, lists) };
      return satisfaction === 'unsatisfied' ? backToCoordination(withFeedback) : { ...withFeedback, status: 'closed' };
    }
    case 'CaseReopened':
      return backToCoordination(current);
    case 'CaseClosed':
      return { ...current, status: 'closed' };
    case 'CaseWithdrawn':
      return { ...current, status: 'withdrawn', pendingAnnotation: null };
    case 'CaseMerged':
      return { ...current, status: 'merged', mergedIntoCaseId: event.data.intoCaseId };
    case 'DeadlineExtended':
      return { ...current, extensions: appended(current.extensions, { ...event.data, at: meta.at }, lists) };
    case 'AttachmentAdded':
      return { ...current, attachments: appended(current.attachments, { ...event.data, actorId: meta.actorId, at: meta.at }, lists) };
    case 'SuggestionAdopted':
      // A state folded before adoptions existed (a read model row being continued) has no list yet.
      return { ...current, adoptions: appended(current.adoptions ?? [], { ...event.data, actorId: meta.actorId, at: meta.at }, lists) };
    case 'SlaWarningRaised':
    case 'SlaBreached':
      // Deadlines are tracked by the SLA clocks; the case itself does not change.
      return current;
  }
}

/**
 * Folds a stream's events, oldest first, onto `from` (by default: no case yet), in time linear
 * in the events (and the size of `from`). `from` is left as it was, and the state returned is
 * not changed afterwards: the in-place appends touch only lists this fold made.
 */
export function fold(events: readonly CaseEventWithMeta[], from: CaseState = initialState): CaseState {
  const lists: FoldLists = new Set();
  return events.reduce((state, { event, meta }) => step(state, event, meta, lists), from);
}

function filedCase(data: CaseEventDataMap['CaseFiled'], meta: CaseEventMeta): ExistingCase {
  // Field by field rather than by object rest and spread: V8 copies a rest object very slowly,
  // and this runs for every case whenever a read model is rebuilt.
  const { caseId, number, kind, title, description, channel, unitId, urgency, filer, parties, visitReason, occurredAt, location, publicAccess } = data;
  return {
    kind,
    title,
    description,
    channel,
    unitId,
    urgency,
    filer,
    parties,
    visitReason,
    occurredAt,
    location,
    id: caseId,
    number,
    status: 'filed',
    filedUnitId: unitId,
    assigneeId: null,
    notes: [],
    annotations: [],
    pendingAnnotation: null,
    supervised: false,
    resolution: null,
    feedback: [],
    mergedIntoCaseId: null,
    unitsVisited: [unitId],
    extensions: [],
    attachments: [],
    adoptions: [],
    publicAccess: publicAccess ?? null,
    createdAt: meta.at,
    updatedAt: meta.at,
  };
}

/** The case arrives at a unit; an assignee belongs to the unit they work at, so a new unit clears it. */
function moveTo(current: ExistingCase, unitId: string, lists: FoldLists): ExistingCase {
  if (unitId === current.unitId) return current;
  const unitsVisited = current.unitsVisited.includes(unitId) ? current.unitsVisited : appended(current.unitsVisited, unitId, lists);
  return { ...current, unitId, assigneeId: null, unitsVisited };
}

function withNote(current: ExistingCase, type: NoteType, text: string, meta: CaseEventMeta, lists: FoldLists): ExistingCase {
  return { ...current, notes: appended(current.notes, { type, text, actorId: meta.actorId, at: meta.at }, lists) };
}

/** The list with one more entry: the same list, appended to, when this fold made it (see FoldLists); else a copy. */
function appended<T>(list: readonly T[], entry: T, lists: FoldLists): readonly T[] {
  if (lists?.has(list)) {
    (list as T[]).push(entry);
    return list;
  }
  const copy = [...list, entry];
  lists?.add(copy);
  return copy;
}

function backToCoordination(current: ExistingCase): ExistingCase {
  return { ...current, status: 'in_coordination', resolution: null };
}
