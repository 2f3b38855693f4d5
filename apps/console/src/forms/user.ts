import { ROLES, type Role } from '#domain';
// The server's own rules, from a module that imports nothing (the accounts library's index would bring the database's types into this browser build).
import { DISPLAY_NAME_MAX_LENGTH, normalizeUsername, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_PATTERN } from '../../../../libs/accounts/src/account-rules.js';
import { checkChoice, checkText, collect, type Problems } from './problems.js';

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
    roles: draft.roles.length === 0 ? { key: 'v.rolesRequired' } : undefined,
    unitId: checkChoice(draft.unitId, unitIds, true),
  });
}

export function userBody(draft: UserDraft): Record<string, unknown> {
  return {
    username: draft.username.trim(),
    displayName: draft.displayName.trim(),
    password: draft.password,
    // In the order the API lists them, whatever order they were ticked in.
    roles: ROLES.filter((role) => draft.roles.includes(role)),
    unitId: draft.unitId,
  };
}

export { PASSWORD_MIN_LENGTH };
