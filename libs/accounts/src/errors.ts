/**
 * Errors of the accounts capability. Each carries a stable `code`; how a protocol answers a code
 * (HTTP's status, say) is the protocol's business, not this library's.
 */
export abstract class AccountsError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** A user to create has a missing or invalid field (the fields in `details`). */
export class InvalidUserInputError extends AccountsError {
  readonly code = 'invalid_user';

  constructor(readonly details: readonly FieldProblem[]) {
    super(details.map((d) => `${d.field}: ${d.message}`).join('; '));
  }
}

/** The username exists already. */
export class UsernameTakenError extends AccountsError {
  readonly code = 'username_taken';

  constructor(readonly username: string) {
    super(`username "${username}" is taken`);
  }
}

/** A user with this id exists already. */
export class UserIdTakenError extends AccountsError {
  readonly code = 'user_id_taken';

  constructor(readonly userId: string) {
    super(`a user with id ${userId} exists already`);
  }
}

/** Unknown username or wrong password: deliberately the same error for both. */
export class InvalidCredentialsError extends AccountsError {
  readonly code = 'invalid_credentials';

  constructor() {
    super('wrong username or password');
  }
}

/** Too many failed logins lately (for this username from this address, this address, or this username); try again after `retryAfterSeconds`. */
export class LoginThrottledError extends AccountsError {
  readonly code = 'login_throttled';

  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed logins: try again in ${retryAfterSeconds} s`);
  }
}

export type InvalidTokenReason = 'malformed' | 'unsupported_alg' | 'bad_signature' | 'expired' | 'invalid_claims';

/** A bearer token that is malformed, not signed by us, or expired. */
export class InvalidTokenError extends AccountsError {
  readonly code = 'invalid_token';

  constructor(
    readonly reason: InvalidTokenReason,
    detail?: string,
  ) {
    super(detail ? `invalid token (${reason}): ${detail}` : `invalid token (${reason})`);
  }
}

/** The JWT secret from the environment or the data dir cannot be used: stops start-up. */
export class JwtSecretError extends AccountsError {
  readonly code = 'jwt_secret';
}

/** The org file cannot be used: stops start-up; the message names the file and the problem. */
export class OrgFileError extends AccountsError {
  readonly code = 'org_file';

  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`org file ${file}: ${problem}`);
  }
}

/** The demo accounts work at units the org tree in use lacks (a city's own tree): stops start-up. */
export class DemoOrgTreeError extends AccountsError {
  readonly code = 'demo_org_tree';

  constructor(readonly missingUnitIds: readonly string[]) {
    super(`the demo accounts need the demo org tree, but these units are not in it: ${missingUnitIds.join(', ')}`);
  }
}

/** No account has this id (or the reader may not know of it). */
export class AccountNotFoundError extends AccountsError {
  readonly code = 'not_found';

  constructor(readonly userId: string) {
    super(`unknown user ${userId}`);
  }
}

/** A token whose session has ended: logged out, or the account changed since it was issued. */
export class SessionRevokedError extends AccountsError {
  readonly code = 'session_revoked';

  constructor(reason: string) {
    super(`this session has ended (${reason}): log in again`);
  }
}

/** A token issued after a password reset may only change the password (or log out). */
export class PasswordChangeRequiredError extends AccountsError {
  readonly code = 'password_change_required';

  constructor() {
    super('the password was reset: choose a new one (POST /api/v1/me/password) before doing anything else');
  }
}

/** The current password given to change it is wrong. */
export class WrongCurrentPasswordError extends AccountsError {
  readonly code = 'invalid_user';
  readonly details = [{ field: 'currentPassword', message: 'is not the current password' }];

  constructor() {
    super('currentPassword: is not the current password');
  }
}
