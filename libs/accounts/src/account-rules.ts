/**
 * What makes a valid account, in a module of its own that imports nothing, so that the console's
 * form checks the same rules in the browser as the server does. Usernames are compared in a
 * normal form (NFKC, trimmed, lower case), so `Admin` and `admin` are one account; the stored
 * username is that form.
 */
export const USERNAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}._-]{1,63}$/u;
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 1024;
export const DISPLAY_NAME_MAX_LENGTH = 100;

/** The normal form usernames are stored and looked up in. */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase();
}
