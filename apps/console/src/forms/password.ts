// The server's own rules, from a module that imports nothing (the accounts library's index would bring the database's types into this browser build).
import { normalizeUsername, PASSWORD_MIN_LENGTH } from '../../../../libs/accounts/src/account-rules.js';
import { collect, type Problem, type Problems } from './problems.js';

/**
 * A password its holder chooses (`POST /api/v1/me/password`, API.md): 8–128 characters, not the
 * username, not the demo password. The server's CHOSEN_PASSWORD_MAX_LENGTH and
 * DEFAULT_DEMO_PASSWORD live in a module that imports the server's framework, so they are
 * written again here.
 */
export const CHOSEN_PASSWORD_MIN_LENGTH = PASSWORD_MIN_LENGTH;
export const CHOSEN_PASSWORD_MAX_LENGTH = 128;
export const DEMO_PASSWORD = 'demo12345';

/** The change-password form as typed. */
export interface PasswordDraft {
  readonly currentPassword: string;
  readonly newPassword: string;
  readonly confirmPassword: string;
}

export function emptyPasswordDraft(): PasswordDraft {
  return { currentPassword: '', newPassword: '', confirmPassword: '' };
}

/** What the server says of a new password, checked as it checks it (lengths in UTF-16 units, as it counts them). */
export function checkNewPassword(password: string, username: string): Problem | undefined {
  if (password === '') return { key: 'v.required' };
  if (password.length < CHOSEN_PASSWORD_MIN_LENGTH || password.length > CHOSEN_PASSWORD_MAX_LENGTH)
    return { key: 'v.passwordLength', params: { min: CHOSEN_PASSWORD_MIN_LENGTH, max: CHOSEN_PASSWORD_MAX_LENGTH } };
  if (normalizeUsername(password) === normalizeUsername(username)) return { key: 'v.notUsername' };
  if (password === DEMO_PASSWORD) return { key: 'v.notDemoPassword' };
  return undefined;
}

/** The checks of the change-password form, keyed by the API's field names (and `confirmPassword`, the form's own). */
export function checkPasswordChange(draft: PasswordDraft, username: string): Problems {
  const newPassword = checkNewPassword(draft.newPassword, username);
  return collect({
    currentPassword: draft.currentPassword === '' ? { key: 'v.required' } : undefined,
    newPassword:
      newPassword ?? (draft.newPassword === draft.currentPassword ? { key: 'v.samePassword' } : undefined),
    confirmPassword:
      draft.confirmPassword === '' ? { key: 'v.required' } : draft.confirmPassword !== draft.newPassword ? { key: 'v.passwordMismatch' } : undefined,
  });
}
