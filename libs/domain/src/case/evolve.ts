import type { CaseEvent, CaseEventDataMap, CaseEventMeta, CaseEventWithMeta } from './events.js';
import { initialState, type CaseState, type ExistingCase } from './state.js';
import type { NoteType } from './vocabulary.js';

/**
 * Applies one recorded event. Events are facts that decide already checked, so evolve only
 * records them; it throws only on a stream that cannot be (an event before filing, or a second filing).
 */
export function evolve(state: CaseState, event: CaseEvent, meta: CaseEventMeta): CaseState {
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
      return note === null ? accepted : withNote(accepted, 'note', note, meta);
    }
    case 'CaseRejected':
      return { ...current, status: 'rejected' };
    case 'CaseAssigned':
      return { ...current, assigneeId: event.data.assigneeId };
    case 'NoteAdded':
      return withNote(current, event.data.noteType, event.data.text, meta);
    case 'CaseTransferred':
    case 'CaseEscalated':
      return { ...moveTo(current, event.data.toUnitId), status: 'filed' };
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
        annotations: [...current.annotations, { instruction, assignToUnitId, actorId: meta.actorId, at: meta.at }],
      };
      return assignToUnitId === null ? annotated : { ...moveTo(annotated, assignToUnitId), supervised: true };
    }
    case 'CaseResolved':
      return { ...current, status: 'resolved', resolution: { ...event.data, at: meta.at } };
    case 'FeedbackRecorded': {
      const { satisfaction, comment } = event.data;
      const withFeedback: ExistingCase = { ...current, feedback: [...current.feedback, { satisfaction, comment, at: meta.at }] };
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
      return { ...current, extensions: [...current.extensions, { ...event.data, at: meta.at }] };
    case 'SlaWarningRaised':
    case 'SlaBreached':
      // Deadlines are tracked by the SLA clocks; the case itself does not change.
      return current;
  }
}

/** Folds a stream's events, oldest first, onto `from` (by default: no case yet). */
export function fold(events: readonly CaseEventWithMeta[], from: CaseState = initialState): CaseState {
  return events.reduce((state, { event, meta }) => evolve(state, event, meta), from);
}

function filedCase(data: CaseEventDataMap['CaseFiled'], meta: CaseEventMeta): ExistingCase {
  // Field by field rather than by object rest and spread: V8 copies a rest object very slowly,
  // and this runs for every case whenever a read model is rebuilt.
  const { caseId, number, kind, title, description, channel, unitId, urgency, filer, parties, visitReason, occurredAt, location } = data;
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
    createdAt: meta.at,
    updatedAt: meta.at,
  };
}

/** The case arrives at a unit; an assignee belongs to the unit they work at, so a new unit clears it. */
function moveTo(current: ExistingCase, unitId: string): ExistingCase {
  if (unitId === current.unitId) return current;
  const unitsVisited = current.unitsVisited.includes(unitId) ? current.unitsVisited : [...current.unitsVisited, unitId];
  return { ...current, unitId, assigneeId: null, unitsVisited };
}

function withNote(current: ExistingCase, type: NoteType, text: string, meta: CaseEventMeta): ExistingCase {
  return { ...current, notes: [...current.notes, { type, text, actorId: meta.actorId, at: meta.at }] };
}

function backToCoordination(current: ExistingCase): ExistingCase {
  return { ...current, status: 'in_coordination', resolution: null };
}
