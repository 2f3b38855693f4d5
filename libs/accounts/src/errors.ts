/**
 * Errors of the accounts capability. Each carries a stable `code` and the HTTP status the API
 * answers with, so the HTTP layer maps them without knowing each one.
 */
export abstract class AccountsError extends Error {
  abstract readonly code: string;
  abstract readonly httpStatus: number;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** A user to create has a missing or invalid field (400, with the fields in `details`). */
export class InvalidUserInputError extends AccountsError {
  readonly code = 'invalid_user';
  readonly httpStatus = 400;

  constructor(readonly details: readonly FieldProblem[]) {
    super(details.map((d) => `${d.field}: ${d.message}`).join('; '));
  }
}

/** The username exists already (409). */
export class UsernameTakenError extends AccountsError {
  readonly code = 'username_taken';
  readonly httpStatus = 409;

  constructor(readonly username: string) {
    super(`username "${username}" is taken`);
  }
}

/** A user with this id exists already (409). */
export class UserIdTakenError extends AccountsError {
  readonly code = 'user_id_taken';
  readonly httpStatus = 409;

  constructor(readonly userId: string) {
    super(`a user with id ${userId} exists already`);
  }
}

/** Unknown username or wrong password: deliberately the same error for both (401). */
export class InvalidCredentialsError extends AccountsError {
  readonly code = 'invalid_credentials';
  readonly httpStatus = 401;

  constructor() {
    super('wrong username or password');
  }
}

/** Too many failed logins for this username lately (429, with Retry-After). */
export class LoginThrottledError extends AccountsError {
  readonly code = 'login_throttled';
  readonly httpStatus = 429;

  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed logins for this username: try again in ${retryAfterSeconds} s`);
  }
}

export type InvalidTokenReason = 'malformed' | 'unsupported_alg' | 'bad_signature' | 'expired' | 'invalid_claims';

/** A bearer token that is malformed, not signed by us, or expired (401). */
export class InvalidTokenError extends AccountsError {
  readonly code = 'invalid_token';
  readonly httpStatus = 401;

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
  readonly httpStatus = 500;
}

/** The org file cannot be used: stops start-up; the message names the file and the problem. */
export class OrgFileError extends AccountsError {
  readonly code = 'org_file';
  readonly httpStatus = 500;

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
  readonly httpStatus = 500;

  constructor(readonly missingUnitIds: readonly string[]) {
    super(`the demo accounts need the demo org tree, but these units are not in it: ${missingUnitIds.join(', ')}`);
  }
}
