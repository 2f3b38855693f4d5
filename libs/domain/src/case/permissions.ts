import { hasRole, isPublicActor, isSystemActor, type Actor, type ActorRole } from '../actor.js';
import { ForbiddenError, IllegalTransitionError, InvalidError, NotFoundError, type DomainError } from '../errors.js';
import { unitLabel, type OrgLevel, type OrgTree } from '../org-tree.js';
import type { Clock } from '../sla/clocks.js';
import { extendableClocks } from '../sla/sla-commands.js';
import type { CaseCommand, CaseCommandType, CaseMoveType } from './commands.js';
import type { CaseEventMeta } from './events.js';
import { OPEN_STATUSES, type CaseState, type CaseStatus, type ExistingCase } from './state.js';

/** The actions of `POST /api/v1/cases/{id}/{action}`, and the command each one issues. */
export const ACTION_COMMAND_TYPES = {
  accept: 'AcceptCase',
  reject: 'RejectCase',
  assign: 'AssignCase',
  notes: 'AddNote',
  transfer: 'TransferCase',
  escalate: 'EscalateCase',
  'request-annotation': 'RequestAnnotation',
  annotate: 'AnnotateCase',
  resolve: 'ResolveCase',
  feedback: 'RecordFeedback',
  close: 'CloseCase',
  reopen: 'ReopenCase',
  withdraw: 'WithdrawCase',
  merge: 'MergeCase',
  'extend-deadline': 'ExtendDeadline',
} as const satisfies Record<string, CaseMoveType>;
export type CaseAction = keyof typeof ACTION_COMMAND_TYPES;
export const CASE_ACTIONS = Object.keys(ACTION_COMMAND_TYPES) as CaseAction[];

type CommandRule = {
  /** Roles that may issue the command, preferred first when an actor holds several. */
  readonly roles: readonly ActorRole[];
  /** The command in words, as in "may not … a case". */
  readonly verb: string;
};

type MoveRule = CommandRule & {
  /** The states the case may be in. */
  readonly from: readonly CaseStatus[];
  /**
   * Whose the case must be: by default the actor acts on the case's current unit (it lies in
   * their subtree); `read` asks only that they may read it (it has passed through their subtree).
   */
  readonly scope?: 'act' | 'read';
};

// A resident files through the public channel, to a community or grid only (decide checks the level).
const FILE_RULE: CommandRule = { roles: ['clerk', 'coordinator', 'public'], verb: 'file' };

/** API.md's table of actions: who may make each move, and from which states. */
const MOVE_RULES: Record<CaseMoveType, MoveRule> = {
  AcceptCase: { roles: ['coordinator'], from: ['filed'], verb: 'accept' },
  RejectCase: { roles: ['coordinator'], from: ['filed'], verb: 'reject' },
  AssignCase: { roles: ['coordinator'], from: ['in_coordination'], verb: 'assign' },
  // A clerk may add contact notes only; decide checks the note type.
  AddNote: { roles: ['coordinator', 'clerk'], from: OPEN_STATUSES, verb: 'add a note to' },
  // Whoever may add a note may attach a file (API.md, "Attachments").
  AddAttachment: { roles: ['coordinator', 'clerk'], from: OPEN_STATUSES, verb: 'attach a file to' },
  // Adoption is news of what happened to a reported opinion, recorded wherever it was reported
  // to: whoever may read the case, even after it has been closed.
  AdoptSuggestion: {
    roles: ['coordinator', 'leader'],
    from: ['filed', 'in_coordination', 'awaiting_annotation', 'resolved', 'closed'],
    verb: 'record an adoption of',
    scope: 'read',
  },
  TransferCase: { roles: ['coordinator'], from: ['filed', 'in_coordination'], verb: 'transfer' },
  // The system's own escalation on a breach is EscalateOnBreach, which the clocks must allow too.
  EscalateCase: { roles: ['coordinator', 'system'], from: ['filed', 'in_coordination'], verb: 'escalate' },
  RequestAnnotation: { roles: ['coordinator'], from: ['in_coordination'], verb: 'request an annotation on' },
  AnnotateCase: { roles: ['leader'], from: ['awaiting_annotation'], verb: 'annotate' },
  ResolveCase: { roles: ['coordinator'], from: ['in_coordination'], verb: 'resolve' },
  // A resident rates the answer themselves with the case's access code (the public channel checks it).
  RecordFeedback: { roles: ['coordinator', 'public'], from: ['resolved'], verb: 'record feedback on' },
  CloseCase: { roles: ['coordinator'], from: ['resolved'], verb: 'close' },
  ReopenCase: { roles: ['coordinator'], from: ['closed'], verb: 'reopen' },
  WithdrawCase: { roles: ['coordinator', 'clerk'], from: OPEN_STATUSES, verb: 'withdraw' },
  MergeCase: { roles: ['coordinator'], from: ['filed', 'in_coordination'], verb: 'merge' },
  ExtendDeadline: { roles: ['leader'], from: OPEN_STATUSES, verb: 'extend a deadline of' },
  RaiseSlaWarning: { roles: ['system'], from: OPEN_STATUSES, verb: 'raise an SLA warning on' },
  RecordSlaBreach: { roles: ['system'], from: OPEN_STATUSES, verb: 'record an SLA breach on' },
  EscalateOnBreach: { roles: ['system'], from: ['filed', 'in_coordination'], verb: 'automatically escalate' },
};

function ruleFor(type: CaseCommandType): CommandRule {
  return type === 'FileCase' ? FILE_RULE : MOVE_RULES[type];
}

/** The role the actor issues this command in, or null when none of their roles allows it. */
export function actingRole(type: CaseCommandType, actor: Actor): ActorRole | null {
  return ruleFor(type).roles.find((role) => hasRole(actor, role)) ?? null;
}

export function roleRefusal(type: CaseCommandType, actor: Actor): ForbiddenError | null {
  return actingRole(type, actor) === null ? forbiddenRole(type, actor) : null;
}

function forbiddenRole(type: CaseCommandType, actor: Actor): ForbiddenError {
  const { roles, verb } = ruleFor(type);
  const { roles: held } = actor;
  const who = held.length === 0 ? 'a user without roles' : `${held.length === 1 ? 'role' : 'roles'} ${held.join(', ')}`;
  return new ForbiddenError(`${who} may not ${verb} a case (allowed for: ${roles.join(', ')})`);
}

/** The levels residents file to through the public channel: the grassroots, where work on a case starts. */
export const PUBLIC_FILING_LEVELS: readonly OrgLevel[] = ['community', 'grid'];

/** Throws InvalidError (field `unitId`) unless residents may file to the unit. */
export function checkPublicFilingUnit(unitId: string, org: OrgTree): void {
  const unit = org.get(unitId);
  if (!PUBLIC_FILING_LEVELS.includes(unit.level)) {
    throw new InvalidError('unitId', `residents file to a community or a grid; ${unitLabel(unit)} is a ${unit.level}`);
  }
}

/**
 * Null when the actor acts on `unitId`: it lies in the subtree of the actor's unit (the system
 * acts everywhere). `subject` opens the message, e.g. "this case is at".
 */
export function scopeRefusal(actor: Actor, unitId: string, org: OrgTree, subject: string): ForbiddenError | null {
  // A resident has no subtree: the access code of one case is their whole scope, and the public
  // channel checks it before any command; where they may file, decide checks.
  if (isSystemActor(actor) || isPublicActor(actor) || org.isWithin(unitId, actor.unitId)) return null;
  return new ForbiddenError(
    `${subject} ${unitLabel(org.get(unitId))}, outside your scope: ${unitLabel(org.get(actor.unitId))} and the units below it`,
  );
}

/**
 * Why the actor may not make this move on the case now, or null when they may: role, scope,
 * state, and what the org tree rules out. Checks on the command's own fields are decide's.
 */
export function moveRefusal(type: CaseMoveType, current: ExistingCase, actor: Actor, org: OrgTree): DomainError | null {
  const scope =
    MOVE_RULES[type].scope === 'read'
      ? canRead(current, actor, org) ? null : new NotFoundError('case', current.id)
      : scopeRefusal(actor, current.unitId, org, 'this case is at');
  return (
    roleRefusal(type, actor) ??
    scope ??
    statusRefusal(type, current.status) ??
    orgTreeRefusal(type, current.unitId, org)
  );
}

function statusRefusal(type: CaseMoveType, status: CaseStatus): IllegalTransitionError | null {
  const { from, verb } = MOVE_RULES[type];
  if (from.includes(status)) return null;
  return new IllegalTransitionError(`cannot ${verb} a case that is ${inWords(status)}; only one that is ${listInWords(from)}`);
}

/** Moves the org tree rules out whatever the command says: nowhere to escalate or transfer to. */
function orgTreeRefusal(type: CaseMoveType, unitId: string, org: OrgTree): IllegalTransitionError | null {
  const unit = org.get(unitId);
  if ((type === 'EscalateCase' || type === 'EscalateOnBreach') && org.parentOf(unitId) === null) {
    return new IllegalTransitionError(
      `a case at the ${unit.level} level cannot be escalated further: ${unitLabel(unit)} is the top of the org tree`,
    );
  }
  if (type === 'TransferCase' && org.siblingsOf(unitId).length === 0) {
    return new IllegalTransitionError(
      `a case at ${unitLabel(unit)} cannot be transferred: no other unit sits at its level under the same parent`,
    );
  }
  return null;
}

/**
 * What the actor may do with the case now, as API action names, in the order of API.md. Given
 * the case's SLA clocks, `extend-deadline` is offered only while some clock can be extended.
 */
export function allowedActions(state: CaseState, actor: Actor, org: OrgTree, clocks?: readonly Clock[]): CaseAction[] {
  if (state.status === 'none') return [];
  return CASE_ACTIONS.filter(
    (action) =>
      moveRefusal(ACTION_COMMAND_TYPES[action], state, actor, org) === null &&
      (action !== 'extend-deadline' || clocks === undefined || extendableClocks(clocks).length > 0),
  );
}

/**
 * The units whose coordinators the actor may assign a case at `caseUnitId` to: the case's unit
 * and the units above it (a coordinator acts within their unit's subtree), as far as they lie in
 * the actor's own subtree. Nearest first. It answers what decide's assign checks one assignee at
 * a time, with its own message for each way to fail; a spec holds the two to the same rule.
 */
export function assigneeUnitIds(caseUnitId: string, actor: Actor, org: OrgTree): string[] {
  return [org.get(caseUnitId), ...org.ancestors(caseUnitId)]
    .map((unit) => unit.id)
    .filter((unitId) => isSystemActor(actor) || (!isPublicActor(actor) && org.isWithin(unitId, actor.unitId)));
}

/** Whether the actor may read the case: some unit it has been at lies in the actor's subtree. */
export function canRead(state: CaseState, actor: Actor, org: OrgTree): boolean {
  if (state.status === 'none' || isPublicActor(actor)) return false;
  return isSystemActor(actor) || state.unitsVisited.some((unitId) => org.isWithin(unitId, actor.unitId));
}

/** The metadata of the events a command records: its time, the actor, and the role they act in. */
export function eventMetaFor(command: CaseCommand): CaseEventMeta {
  const { type, actor, at } = command;
  const actorRole = actingRole(type, actor);
  if (actorRole === null) throw forbiddenRole(type, actor);
  return { at, actorId: actor.userId, actorRole, unitId: actor.unitId };
}

function inWords(status: CaseStatus): string {
  return status.replaceAll('_', ' ');
}

const OR_LIST = new Intl.ListFormat('en', { type: 'disjunction' });

function listInWords(statuses: readonly CaseStatus[]): string {
  return OR_LIST.format(statuses.map(inWords));
}
