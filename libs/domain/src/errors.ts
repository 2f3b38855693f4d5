/** The stable codes a rejected command carries; the HTTP layer maps them to status codes. */
export type DomainErrorCode = 'illegal_transition' | 'forbidden' | 'not_found' | 'invalid' | 'limit_reached';

/** A command the domain refuses. The message states the rule in plain words. */
export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The case's state or the org tree forbids the move. */
export class IllegalTransitionError extends DomainError {
  override readonly code = 'illegal_transition';
}

/** The actor's role may not do this, or the case or unit lies outside the actor's scope. */
export class ForbiddenError extends DomainError {
  override readonly code = 'forbidden';
}

/** A case or unit the command refers to does not exist. */
export class NotFoundError extends DomainError {
  override readonly code = 'not_found';

  constructor(
    readonly entity: 'case' | 'unit',
    readonly id: string,
  ) {
    super(`unknown ${entity} ${id}`);
  }
}

/** A value the domain rejects; `field` names it as the request spells it. */
export class InvalidError extends DomainError {
  override readonly code = 'invalid';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The case already holds the most entries of a kind that a case may hold (CASE_LIMITS). */
export class LimitReachedError extends DomainError {
  override readonly code = 'limit_reached';

  constructor(
    readonly limit: string,
    readonly max: number,
    message: string,
  ) {
    super(message);
  }
}
