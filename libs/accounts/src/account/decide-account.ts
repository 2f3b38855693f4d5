import { ForbiddenError, IllegalTransitionError, ROLES, hasRole, isSystemActor, type Actor, type OrgTree, type Role } from '#domain';
import { DISPLAY_NAME_MAX_LENGTH, USERNAME_PATTERN, normalizeUsername } from '../account-rules.js';
import { AccountNotFoundError, InvalidUserInputError, type FieldProblem } from '../errors.js';
import { isRole } from '../types.js';
import type { AccountEvent, AccountState } from './account.js';

/** What may be done to an account, by whom (an admin in scope, the person themselves, or the engine). */
export type AccountCommand =
  | { readonly type: 'CreateUser'; readonly actor: Actor; readonly userId: string; readonly username: string; readonly displayName: string; readonly roles: readonly Role[]; readonly unitId: string }
  | { readonly type: 'UpdateUser'; readonly actor: Actor; readonly userId: string; readonly displayName?: string; readonly roles?: readonly Role[]; readonly unitId?: string }
  | { readonly type: 'DisableUser'; readonly actor: Actor; readonly userId: string; readonly reason: string }
  | { readonly type: 'EnableUser'; readonly actor: Actor; readonly userId: string }
  | { readonly type: 'ResetPassword'; readonly actor: Actor; readonly userId: string }
  | { readonly type: 'ChangePassword'; readonly actor: Actor; readonly userId: string };

export const DISABLE_REASON_MAX_LENGTH = 500;

/**
 * Decides an account command on the account as it stands: the events to append, or a refusal.
 * Pure. Admins act only on accounts in their unit's subtree and only move them within it; the
 * `admin` role stands alone; nobody disables, resets or re-roles their own account (another admin
 * does, so that no one locks themselves or the installation out by mistake).
 */
export function decideAccount(command: AccountCommand, state: AccountState, org: OrgTree): AccountEvent[] {
  if (command.type === 'CreateUser') return decideCreate(command, state, org);
  if (!state.exists) throw new AccountNotFoundError(command.userId);
  const { actor } = command;
  const self = !isSystemActor(actor) && actor.userId === state.userId;

  if (command.type === 'ChangePassword') {
    if (!self && !isSystemActor(actor)) throw new ForbiddenError('only the account holder changes their password');
    return [{ type: 'PasswordChanged', data: {} }];
  }

  requireAdminOver(actor, state.unitId, org);
  switch (command.type) {
    case 'UpdateUser': {
      const problems = [
        ...(command.displayName !== undefined ? displayNameProblems(command.displayName) : []),
        ...(command.roles !== undefined ? rolesProblems(command.roles) : []),
        ...(command.unitId !== undefined ? unitProblems(command.unitId, org) : []),
      ];
      if (problems.length > 0) throw new InvalidUserInputError(problems);
      if (command.unitId !== undefined) requireAdminOver(actor, command.unitId, org, 'move an account to');
      const data: { displayName?: string; roles?: readonly Role[]; unitId?: string } = {};
      if (command.displayName !== undefined && command.displayName.trim() !== state.displayName) data.displayName = command.displayName.trim();
      if (command.roles !== undefined && !sameRoles(command.roles, state.roles)) data.roles = [...command.roles];
      if (command.unitId !== undefined && command.unitId !== state.unitId) data.unitId = command.unitId;
      if (self && (data.roles !== undefined || data.unitId !== undefined)) {
        throw new IllegalTransitionError('an admin cannot change their own roles or unit: another admin in scope can');
      }
      return Object.keys(data).length === 0 ? [] : [{ type: 'UserUpdated', data }];
    }
    case 'DisableUser': {
      const reason = command.reason.trim();
      if (reason === '' || reason.length > DISABLE_REASON_MAX_LENGTH) {
        throw new InvalidUserInputError([{ field: 'reason', message: `must be 1-${DISABLE_REASON_MAX_LENGTH} characters` }]);
      }
      if (self) throw new IllegalTransitionError('an admin cannot disable their own account: another admin in scope can');
      if (!state.enabled) throw new IllegalTransitionError(`the account ${state.username} is already disabled`);
      return [{ type: 'UserDisabled', data: { reason } }];
    }
    case 'EnableUser':
      if (state.enabled) throw new IllegalTransitionError(`the account ${state.username} is not disabled`);
      return [{ type: 'UserEnabled', data: {} }];
    case 'ResetPassword':
      if (self) throw new IllegalTransitionError('to change your own password, use POST /api/v1/me/password');
      return [{ type: 'PasswordReset', data: {} }];
  }
}

function decideCreate(command: Extract<AccountCommand, { type: 'CreateUser' }>, state: AccountState, org: OrgTree): AccountEvent[] {
  const problems: FieldProblem[] = [];
  const username = typeof command.username === 'string' ? normalizeUsername(command.username) : '';
  if (!USERNAME_PATTERN.test(username)) {
    problems.push({ field: 'username', message: 'must be 2-64 letters, digits, ".", "_" or "-", starting with a letter or digit' });
  }
  problems.push(...displayNameProblems(command.displayName), ...rolesProblems(command.roles), ...unitProblems(command.unitId, org));
  if (problems.length > 0) throw new InvalidUserInputError(problems);
  requireAdminOver(command.actor, command.unitId, org, 'create an account at');
  if (state.exists) throw new IllegalTransitionError(`an account with id ${command.userId} exists already`);
  return [
    {
      type: 'UserCreated',
      data: { userId: command.userId, username, displayName: command.displayName.trim(), roles: [...command.roles], unitId: command.unitId },
    },
  ];
}

/** The actor is the engine, or an admin whose subtree holds the unit. */
function requireAdminOver(actor: Actor, unitId: string, org: OrgTree, doing = 'manage accounts at'): void {
  if (isSystemActor(actor)) return;
  if (!hasRole(actor, 'admin') || actor.unitId === null) throw new ForbiddenError('only an admin may manage accounts');
  if (!org.has(unitId) || !org.isWithin(unitId, actor.unitId)) {
    throw new ForbiddenError(`an admin at ${actor.unitId} may only ${doing} units in that subtree, not ${unitId}`);
  }
}

export function displayNameProblems(displayName: unknown): FieldProblem[] {
  if (typeof displayName !== 'string' || displayName.trim() === '') return [{ field: 'displayName', message: 'must not be empty' }];
  if (displayName.trim().length > DISPLAY_NAME_MAX_LENGTH || /\p{Cc}/u.test(displayName)) {
    return [{ field: 'displayName', message: `must be at most ${DISPLAY_NAME_MAX_LENGTH} characters, without control characters` }];
  }
  return [];
}

export function rolesProblems(roles: unknown): FieldProblem[] {
  if (!Array.isArray(roles) || roles.length === 0) return [{ field: 'roles', message: `must be a non-empty list of ${ROLES.join(', ')}` }];
  if (!roles.every(isRole)) return [{ field: 'roles', message: `each role must be one of ${ROLES.join(', ')}` }];
  if (new Set(roles).size !== roles.length) return [{ field: 'roles', message: 'must not repeat a role' }];
  if (roles.includes('admin') && roles.length > 1) return [{ field: 'roles', message: 'admin cannot be combined with another role' }];
  return [];
}

function unitProblems(unitId: unknown, org: OrgTree): FieldProblem[] {
  if (typeof unitId !== 'string' || unitId.trim() === '') return [{ field: 'unitId', message: 'must not be empty' }];
  if (!org.has(unitId)) return [{ field: 'unitId', message: `unknown unit "${unitId}"` }];
  return [];
}

function sameRoles(a: readonly Role[], b: readonly Role[]): boolean {
  return a.length === b.length && a.every((role) => b.includes(role));
}
