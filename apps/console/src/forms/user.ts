import { ROLES, type Role } from '#domain';
// The server's own rules, from a module that imports nothing (the accounts library's index would bring the database's types into this browser build).
import { DISPLAY_NAME_MAX_LENGTH, normalizeUsername, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_PATTERN } from '../../../../libs/accounts/src/account-rules.js';
import type { Account } from '../api/types.js';
import { checkChoice, checkText, collect, type Problem, type Problems } from './problems.js';

/** The new-account form as typed, before it becomes the body of `POST /api/v1/users`. */
export interface UserDraft {
  readonly username: string;
  readonly displayName: string;
  readonly password: string;
  readonly roles: readonly Role[];
  readonly unitId: string;
}

export function emptyUserDraft(unitId = ''): UserDraft {
  return { username: '', displayName: '', password: '', roles: [], unitId };
}

/** The checks `POST /api/v1/users` makes, keyed by its field names; `unitIds` are the units one may choose. */
export function checkUser(draft: UserDraft, unitIds: readonly string[]): Problems {
  const username = draft.username.trim();
  return collect({
    username: username === '' ? { key: 'v.required' } : USERNAME_PATTERN.test(normalizeUsername(username)) ? undefined : { key: 'v.username' },
    displayName: checkText(draft.displayName, { required: true, max: DISPLAY_NAME_MAX_LENGTH }),
    password:
      draft.password === ''
        ? { key: 'v.required' }
        : draft.password.length < PASSWORD_MIN_LENGTH || draft.password.length > PASSWORD_MAX_LENGTH
          ? { key: 'v.passwordLength', params: { min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH } }
          : undefined,
    roles: checkRoles(draft.roles),
    unitId: checkChoice(draft.unitId, unitIds, true),
  });
}

/** At least one role, and `admin` only on its own (API.md: admin cannot be combined with another role). */
export function checkRoles(roles: readonly Role[]): Problem | undefined {
  if (roles.length === 0) return { key: 'v.rolesRequired' };
  if (roles.includes('admin') && roles.length > 1) return { key: 'v.adminAlone' };
  return undefined;
}

/**
 * The roles after ticking (`on`) or unticking one, as the forms offer them: ticking `admin` leaves
 * it alone, ticking another role takes `admin` away.
 */
export function toggleRole(roles: readonly Role[], role: Role, on: boolean): Role[] {
  if (!on) return roles.filter((r) => r !== role);
  if (role === 'admin') return ['admin'];
  return [...roles.filter((r) => r !== 'admin' && r !== role), role];
}

/** The roles in the order the API lists them, whatever order they were ticked in. */
function inRoleOrder(roles: readonly Role[]): Role[] {
  return ROLES.filter((role) => roles.includes(role));
}

/** The edit form of an account as typed, before it becomes the body of `PATCH /api/v1/users/{id}`. */
export interface AccountDraft {
  readonly displayName: string;
  readonly roles: readonly Role[];
  readonly unitId: string;
}

export function accountDraft(account: Pick<Account, 'displayName' | 'roles' | 'unitId'>): AccountDraft {
  return { displayName: account.displayName, roles: [...account.roles], unitId: account.unitId };
}

/** The checks `PATCH /api/v1/users/{id}` makes; `unitIds` are the units the admin may move the account to. */
export function checkAccount(draft: AccountDraft, unitIds: readonly string[]): Problems {
  return collect({
    displayName: checkText(draft.displayName, { required: true, max: DISPLAY_NAME_MAX_LENGTH }),
    roles: checkRoles(draft.roles),
    unitId: checkChoice(draft.unitId, unitIds, true),
  });
}

/** Only what the form changed, as the body of `PATCH /api/v1/users/{id}`; empty when nothing did. */
export function accountChanges(account: Pick<Account, 'displayName' | 'roles' | 'unitId'>, draft: AccountDraft): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  if (draft.displayName.trim() !== account.displayName) changes.displayName = draft.displayName.trim();
  const roles = inRoleOrder(draft.roles);
  if (roles.join() !== inRoleOrder(account.roles).join()) changes.roles = roles;
  if (draft.unitId !== account.unitId) changes.unitId = draft.unitId;
  return changes;
}

export function userBody(draft: UserDraft): Record<string, unknown> {
  return {
    username: draft.username.trim(),
    displayName: draft.displayName.trim(),
    password: draft.password,
    roles: inRoleOrder(draft.roles),
    unitId: draft.unitId,
  };
}

export { PASSWORD_MIN_LENGTH };
