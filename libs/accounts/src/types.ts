import { ROLES, type Role } from '#domain';

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * What a verified access token says about its bearer: a user Actor of the domain
 * (`userId`, `roles`, `unitId`) plus the username.
 */
export interface Principal {
  readonly userId: string;
  readonly username: string;
  readonly roles: readonly Role[];
  readonly unitId: string;
  /** This login's session: logging out ends it. */
  readonly sessionId: string;
  /** The account's revision when the token was issued: a later session-ending event refuses it. */
  readonly sessionRevision: number;
  /** The password was reset: the token may only change it (or log out). */
  readonly mustChangePassword: boolean;
}

/** A user as shown to anyone: never the password hash. */
export interface PublicUser {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly roles: readonly Role[];
  readonly unitId: string;
}
