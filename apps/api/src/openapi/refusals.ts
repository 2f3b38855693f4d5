import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';

/**
 * The error answers of the API in OpenAPI (API.md "Errors"). A route names the statuses it
 * refuses with and, for each, the fixed `code` values its body may carry:
 *
 *   @Refuses({ 404: ['not_found'], 409: ['revision_conflict', 'illegal_transition'] })
 *
 * What every route of a kind may answer (401 without a token, 503 without a database connection,
 * 400 for a body that is not JSON) is added by the document itself (document.ts), not here.
 */

export type RefusalStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503;

/** Each status with the codes its body may carry; `[]`: the body carries no code. */
export type Refusals = Partial<Readonly<Record<RefusalStatus, readonly string[]>>>;

/** What each status means, as the document says it. */
const MEANING: Readonly<Record<RefusalStatus, string>> = {
  400: 'a field is missing, invalid or unknown: `details` names each one',
  401: 'no token, or a bad, expired or revoked one',
  403: 'the role may not do this, or the case or unit is outside the user’s scope',
  404: 'not found, or outside the user’s scope',
  409: 'the record’s state forbids it: `code` says why',
  413: 'the body or a file is too large',
  415: 'a body or a file of a type not accepted',
  429: 'too many requests: wait for `Retry-After` seconds',
  503: 'no database connection within 5 s: wait for `Retry-After` seconds and try again',
};

/** A wrong field of a refused request (`details`). */
export const FIELD_PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['field', 'message'],
  properties: {
    field: { type: 'string', description: 'the field’s path, e.g. `filer.phone`', example: 'title' },
    message: { type: 'string', example: 'must be 1-200 characters' },
  },
};

/** Every error's body (API.md "Errors"); each answer narrows `statusCode` and `code` (errorSchema). */
export const ERROR_BODY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer', example: 409 },
    error: { type: 'string', description: 'the HTTP reason phrase', example: 'Conflict' },
    message: { type: 'string', description: 'what went wrong, in words', example: 'the case has changed: it is at revision 3, not 2; reload it' },
    code: { type: 'string', description: 'a stable code to switch on; each answer lists the ones it may carry', example: 'revision_conflict' },
    details: { type: 'array', description: 'the fields at fault: with 400 every wrong one; some 404s and 413s name the field too', items: { $ref: '#/components/schemas/FieldProblem' } },
    currentRevision: { type: 'integer', nullable: true, description: 'with `revision_conflict`: the revision the record is at', example: 3 },
  },
};

/** The error body of one status, its `code` limited to the values listed (none: it carries no code). */
export function errorSchema(status: RefusalStatus, codes: readonly string[]): SchemaObject {
  return {
    allOf: [
      { $ref: '#/components/schemas/ErrorBody' },
      {
        type: 'object',
        properties: { statusCode: { type: 'integer', enum: [status] }, code: codes.length > 0 ? { type: 'string', enum: [...codes] } : { not: {} } },
      },
    ],
  };
}

/** What a status means when a route says nothing more. */
export function usualMeaning(status: RefusalStatus): string {
  return MEANING[status];
}

/** What a refusal means: the route's own words when it has them, else the status's. */
export function refusalDescription(status: RefusalStatus, codes: readonly string[], when: string = MEANING[status]): string {
  return codes.length > 0 ? `${when} (code ${codes.map((code) => `\`${code}\``).join(', ')})` : when;
}

/** The route's own words of a description refusalDescription wrote, without its codes. */
export function refusalReason(description: string | undefined): string | undefined {
  return description?.replace(/ \(code [^)]*\)$/, '');
}

/** A 429 or a 503 says when to try again. */
export function retryHeader(status: RefusalStatus): { headers?: Record<string, { description: string; schema: SchemaObject }> } {
  if (status !== 429 && status !== 503) return {};
  return { headers: { 'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } } } };
}

/**
 * OpenAPI: the error answers of a route (or of every route of a controller), and for any of them
 * what it means on this route, where the status's usual meaning would mislead (a login's 401).
 */
export function Refuses(refusals: Refusals, when: Partial<Readonly<Record<RefusalStatus, string>>> = {}): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(refusals).map(([key, codes]) => {
      const status = Number(key) as RefusalStatus;
      return ApiResponse({ status, description: refusalDescription(status, codes, when[status]), schema: errorSchema(status, codes), ...retryHeader(status) });
    }),
  );
}
