import { hasRole, isPublicActor } from '../actor.js';
import { ForbiddenError, IllegalTransitionError, InvalidError, LimitReachedError, NotFoundError } from '../errors.js';
import { unitLabel, type OrgTree } from '../org-tree.js';
import type { Clock } from '../sla/clocks.js';
import { isSlaCommand, slaCommandRefusal } from '../sla/sla-commands.js';
import type {
  AddAttachment,
  AddNote,
  AdoptSuggestion,
  AnnotateCase,
  AssignCase,
  CaseCommand,
  ExtendDeadline,
  FileCase,
  MergeCase,
  TransferCase,
} from './commands.js';
import type { CaseEvent } from './events.js';
import { actingRole, canRead, checkPublicFilingUnit, moveRefusal, roleRefusal, scopeRefusal } from './permissions.js';
import { isOpen, type CaseState, type ExistingCase } from './state.js';
import { ADOPTION_LEVELS, CASE_LIMITS, adoptionLevelOf, type AdoptionLevel } from './vocabulary.js';

export type DecideContext = {
  readonly org: OrgTree;
  /**
   * The case's SLA clock runs, from `caseClocks(history, policy)` (none before it is filed). The
   * SLA commands (RaiseSlaWarning, RecordSlaBreach, EscalateOnBreach, ExtendDeadline) must fit
   * them: the run they name is still running (see `slaCommandRefusal`).
   */
  readonly clocks: readonly Clock[];
};

/**
 * The events a command records, or a DomainError saying which rule forbids it. Checks run in
 * this order: the case exists (for filing: does not yet), role, scope, state, the org tree, the
 * SLA clocks (for the SLA commands), then the command's own fields.
 */
export function decide(command: CaseCommand, state: CaseState, { org, clocks }: DecideContext): CaseEvent[] {
  if (command.type === 'FileCase') return fileCase(command, state, org);
  if (state.status === 'none') throw new NotFoundError('case', command.caseId);
  const refusal = moveRefusal(command.type, state, command.actor, org);
  if (refusal) throw refusal;
  if (isSlaCommand(command)) {
    const clockRefusal = slaCommandRefusal(command, clocks);
    if (clockRefusal) throw clockRefusal;
  }

  switch (command.type) {
    case 'AcceptCase':
      if (command.note !== undefined) checkRoomForNote(state, 'accept it without a note');
      return [{ type: 'CaseAccepted', data: { note: command.note ?? null } }];
    case 'RejectCase':
      return [{ type: 'CaseRejected', data: { reason: requireText('reason', command.reason) } }];
    case 'AssignCase':
      return [assign(command, state, org)];
    case 'AddNote':
      return [addNote(command, state)];
    case 'AddAttachment':
      return [addAttachment(command, state)];
    case 'AdoptSuggestion':
      return [adopt(command, state, org)];
    case 'TransferCase':
      return [transfer(command, state, org)];
    case 'EscalateCase':
      return [escalate(state, org, requireText('reason', command.reason))];
    case 'EscalateOnBreach':
      return [escalate(state, org, `${command.clock} clock breached (due ${command.dueAt}): escalated automatically`)];
    case 'RequestAnnotation':
      return [{ type: 'AnnotationRequested', data: { summary: requireText('summary', command.summary) } }];
    case 'AnnotateCase':
      return [annotate(command, state, org)];
    case 'ResolveCase':
      return [{ type: 'CaseResolved', data: { outcome: command.outcome, summary: requireText('summary', command.summary) } }];
    case 'RecordFeedback':
      return [{ type: 'FeedbackRecorded', data: { satisfaction: command.satisfaction, comment: command.comment ?? null } }];
    case 'CloseCase':
      return [{ type: 'CaseClosed', data: { summary: requireText('summary', command.summary) } }];
    case 'ReopenCase':
      return [{ type: 'CaseReopened', data: { reason: requireText('reason', command.reason) } }];
    case 'WithdrawCase':
      return [{ type: 'CaseWithdrawn', data: { reason: requireText('reason', command.reason) } }];
    case 'MergeCase':
      return [merge(command, org)];
    case 'ExtendDeadline':
      return [extendDeadline(command)];
    case 'RaiseSlaWarning':
    case 'RecordSlaBreach': {
      const { clock, dueAt, startedAtRevision } = command;
      const type = command.type === 'RaiseSlaWarning' ? 'SlaWarningRaised' : 'SlaBreached';
      return [{ type, data: { clock, dueAt, startedAtRevision } }];
    }
  }
}

/** The filing, and the files stored for it (a resident's photos) recorded in the same append. */
function fileCase(command: FileCase, state: CaseState, org: OrgTree): CaseEvent[] {
  if (state.status !== 'none') throw new IllegalTransitionError(`case ${state.number} has already been filed`);
  const roleRefused = roleRefusal(command.type, command.actor);
  if (roleRefused) throw roleRefused;
  const scopeRefused = scopeRefusal(command.actor, command.unitId, org, 'the case would be filed at');
  if (scopeRefused) throw scopeRefused;
  const publicFiling = isPublicActor(command.actor);
  if (publicFiling) checkPublicFilingUnit(command.unitId, org);
  if (publicFiling !== (command.publicAccess !== undefined)) {
    throw new InvalidError('publicAccess', 'a resident\'s filing carries its access code digest, and only a resident\'s filing does');
  }
  const attachments = command.attachments ?? [];
  if (attachments.length > CASE_LIMITS.attachments) {
    throw new LimitReachedError('attachments', CASE_LIMITS.attachments, `a case may hold at most ${CASE_LIMITS.attachments} attachments`);
  }

  const visitReason = command.visitReason ?? null;
  if (command.kind === 'visit' && visitReason === null) {
    throw new InvalidError('visitReason', 'a visit case needs the reason for the visit');
  }
  if (command.kind !== 'visit' && visitReason !== null) {
    throw new InvalidError('visitReason', `a ${command.kind} case takes no visit reason; only visit cases do`);
  }
  const filed: CaseEvent = {
    type: 'CaseFiled',
    data: {
      caseId: command.caseId,
      number: command.number,
      kind: command.kind,
      title: requireText('title', command.title),
      description: requireText('description', command.description),
      channel: command.channel,
      unitId: command.unitId,
      urgency: command.urgency ?? 'normal',
      filer: command.filer,
      parties: command.parties ?? [],
      visitReason,
      occurredAt: command.occurredAt ?? null,
      location: command.location ?? null,
      ...(command.publicAccess ? { publicAccess: command.publicAccess } : {}),
    },
  };
  return [filed, ...attachments.map((attachment): CaseEvent => ({ type: 'AttachmentAdded', data: attachment }))];
}

/** A file already stored under its hash, recorded on the case while there is room. */
function addAttachment({ attachment }: AddAttachment, current: ExistingCase): CaseEvent {
  const max = CASE_LIMITS.attachments;
  if (current.attachments.length >= max) {
    throw new LimitReachedError('attachments', max, `case ${current.number} already holds ${max} attachments, the most a case may hold`);
  }
  return { type: 'AttachmentAdded', data: attachment };
}

/**
 * One more adoption. Points follow from the level and the kind, so who may record which is
 * guarded: a level no higher than the actor's own (city staff also record the province's and the
 * nation's, which reach the city), no lower than where the case was filed, an annotation (批示)
 * only by a leader, and each level's adoption or annotation once per bulletin (a retry cannot
 * count twice). The stream has room for CASE_LIMITS.adoptions.
 */
function adopt({ level, kind, body, note, bulletinId, actor }: AdoptSuggestion, current: ExistingCase, org: OrgTree): CaseEvent {
  if (kind === 'annotated' && !hasRole(actor, 'leader')) {
    throw new ForbiddenError('only a leader records an annotation (批示); coordinators record adoptions (采用)');
  }
  const rank = (adoptionLevel: AdoptionLevel) => ADOPTION_LEVELS.indexOf(adoptionLevel);
  const actorLevel = adoptionLevelOf(org.get(actor.unitId!).level);
  const highest: AdoptionLevel = actorLevel === 'city' ? 'national' : actorLevel;
  if (rank(level) > rank(highest)) {
    throw new InvalidError('level', `staff of a ${org.get(actor.unitId!).level} record adoptions up to the ${highest} level, not the ${level} level`);
  }
  const lowest = adoptionLevelOf(org.get(current.filedUnitId).level);
  if (rank(level) < rank(lowest)) {
    throw new InvalidError('level', `case ${current.number} was filed at the ${lowest} level; it is adopted there or higher, not at the ${level} level`);
  }
  // A case folded before adoptions existed has no list yet.
  const adoptions = current.adoptions ?? [];
  const fromBulletin = bulletinId ?? null;
  if (adoptions.some((earlier) => earlier.level === level && earlier.kind === kind && earlier.bulletinId === fromBulletin)) {
    throw new IllegalTransitionError(`case ${current.number} already records a ${level}-level ${kind === 'annotated' ? 'annotation' : 'adoption'}${fromBulletin ? ' from this bulletin' : ''}`);
  }
  const max = CASE_LIMITS.adoptions;
  if (adoptions.length >= max) {
    throw new LimitReachedError('adoptions', max, `case ${current.number} already records ${max} adoptions, the most a case may hold`);
  }
  return {
    type: 'SuggestionAdopted',
    data: { level, kind, body: requireText('body', body), note: note ?? null, bulletinId: fromBulletin },
  };
}

/**
 * The assignee must be a coordinator who works within the actor's scope (no handing work
 * upward or sideways) and whose own scope covers the case, so that they can act on it.
 */
function assign({ assignee, actor }: AssignCase, current: ExistingCase, org: OrgTree): CaseEvent {
  if (!hasRole(assignee, 'coordinator')) {
    throw new InvalidError('assigneeId', `user ${assignee.userId} is not a coordinator; only coordinators take cases`);
  }
  const scopeRefused = scopeRefusal(actor, assignee.unitId, org, 'the assignee works at');
  if (scopeRefused) throw scopeRefused;
  if (!org.isWithin(current.unitId, assignee.unitId)) {
    throw new InvalidError(
      'assigneeId',
      `user ${assignee.userId} works at ${unitLabel(org.get(assignee.unitId))} ` +
        `and cannot act on a case at ${unitLabel(org.get(current.unitId))}`,
    );
  }
  return { type: 'CaseAssigned', data: { assigneeId: assignee.userId, assigneeUnitId: assignee.unitId } };
}

/** A clerk records contact with the filer; visits, mediation and other notes are coordinators' work. */
function addNote({ noteType, text, actor }: AddNote, current: ExistingCase): CaseEvent {
  if (noteType !== 'contact' && actingRole('AddNote', actor) === 'clerk') {
    throw new ForbiddenError(`a clerk may add contact notes only, not ${noteType} notes`);
  }
  checkRoomForNote(current);
  return { type: 'NoteAdded', data: { noteType, text: requireText('text', text) } };
}

/** A case holds at most CASE_LIMITS.notes notes; `instead` says what the actor may do instead. */
function checkRoomForNote(current: ExistingCase, instead?: string): void {
  const max = CASE_LIMITS.notes;
  if (current.notes.length < max) return;
  const hint = instead ? `; ${instead}` : '';
  throw new LimitReachedError('notes', max, `case ${current.number} already holds ${max} notes, the most a case may hold${hint}`);
}

/** To the parent unit: moveRefusal has ruled out the root, so there is one. */
function escalate(current: ExistingCase, org: OrgTree, reason: string): CaseEvent {
  const parent = org.parentOf(current.unitId)!;
  return { type: 'CaseEscalated', data: { fromUnitId: current.unitId, toUnitId: parent.id, reason } };
}

function transfer({ toUnitId, reason }: TransferCase, current: ExistingCase, org: OrgTree): CaseEvent {
  if (toUnitId === current.unitId) {
    throw new InvalidError('toUnitId', 'a case cannot be transferred to the unit it is already at');
  }
  const from = org.get(current.unitId);
  const to = org.get(toUnitId);
  if (!org.areSiblings(from.id, to.id)) {
    throw new IllegalTransitionError(
      'a case can be transferred only to another unit at the same level under the same parent; ' +
        `${unitLabel(to)} is not one for ${unitLabel(from)}`,
    );
  }
  return { type: 'CaseTransferred', data: { fromUnitId: from.id, toUnitId, reason: requireText('reason', reason) } };
}

/** A leader may hand the case only to a unit within their own subtree. */
function annotate({ instruction, assignToUnitId, actor }: AnnotateCase, current: ExistingCase, org: OrgTree): CaseEvent {
  if (assignToUnitId !== undefined) {
    const scopeRefused = scopeRefusal(actor, assignToUnitId, org, 'the annotation would hand the case to');
    if (scopeRefused) throw scopeRefused;
  }
  return {
    type: 'CaseAnnotated',
    data: {
      instruction: requireText('instruction', instruction),
      assignToUnitId: assignToUnitId ?? null,
      fromUnitId: current.unitId,
    },
  };
}

/** The target must be another case that the actor can read and that is still open. */
function merge({ caseId, intoCaseId, target, actor }: MergeCase, org: OrgTree): CaseEvent {
  if (intoCaseId === caseId) throw new InvalidError('intoCaseId', 'a case cannot be merged into itself');
  if (target.status === 'none' || !canRead(target, actor, org)) throw new NotFoundError('case', intoCaseId);
  if (!isOpen(target.status)) {
    throw new IllegalTransitionError(`case ${target.number} is ${target.status}; a case can be merged only into an open case`);
  }
  return { type: 'CaseMerged', data: { intoCaseId } };
}

function extendDeadline({ clock, workingDays, reason }: ExtendDeadline): CaseEvent {
  if (!Number.isInteger(workingDays) || workingDays < 1) {
    throw new InvalidError('workingDays', `an extension is a whole number of working days, at least 1 (got ${workingDays})`);
  }
  return { type: 'DeadlineExtended', data: { clock, workingDays, reason: requireText('reason', reason) } };
}

function requireText(field: string, value: string): string {
  if (value.trim() === '') throw new InvalidError(field, `${field} must not be blank`);
  return value;
}
