import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { isBulletinStream } from '#bulletins';
import { isCaseStream } from '#cases';
import { WrongExpectedRevisionError } from '#event-store';
import { MALFORMED_JSON } from './body.js';
import { isOpen311Url, sendOpen311Error } from '../open311/open311-format.js';

/** The error body of API.md: `{ statusCode, error, message, code?, details? }`. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code?: string;
  details?: readonly { field: string; message: string }[];
  currentRevision?: number | null;
}

/**
 * How HTTP answers each stable code that the libraries' typed errors carry. The libraries say
 * what went wrong, never with which status: this table is the one place that does. An error
 * whose code is not listed here (a driver's, a start-up error's) is a fault of ours: 500.
 */
const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  // The domain refusing a command (libs/domain errors.ts).
  illegal_transition: HttpStatus.CONFLICT,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  invalid: HttpStatus.BAD_REQUEST,
  limit_reached: HttpStatus.CONFLICT,
  // The event store: a stale expected revision; an anchor at a position not settled yet.
  revision_conflict: HttpStatus.CONFLICT,
  not_settled: HttpStatus.CONFLICT,
  // A whole-store verification or anchor while another runs (apps/api/src/audit/one-at-a-time.ts).
  busy: HttpStatus.TOO_MANY_REQUESTS,
  // No database connection within the acquire timeout (libs/database DatabaseUnavailableError): Retry-After.
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  // Filing with an Idempotency-Key.
  idempotency_key_reused: HttpStatus.CONFLICT,
  // Accounts (libs/accounts errors.ts).
  invalid_user: HttpStatus.BAD_REQUEST,
  username_taken: HttpStatus.CONFLICT,
  user_id_taken: HttpStatus.CONFLICT,
  invalid_credentials: HttpStatus.UNAUTHORIZED,
  invalid_token: HttpStatus.UNAUTHORIZED,
  login_throttled: HttpStatus.TOO_MANY_REQUESTS,
  session_revoked: HttpStatus.UNAUTHORIZED,
  password_change_required: HttpStatus.FORBIDDEN,
  // The public routes' limits per client address (libs/public-channel): Retry-After.
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  // Attachments (libs/attachments errors.ts): a file too large, of a type not accepted, cut off.
  payload_too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  unsupported_media_type: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  upload_aborted: HttpStatus.BAD_REQUEST,
};

/** A typed error of ours: a stable `code`, and what the body may add from it. */
interface CodedError extends Error {
  readonly code: string;
  /** The one field that is wrong (the domain's InvalidError). */
  readonly field?: unknown;
  /** Every field that is wrong (the accounts' InvalidUserInputError). */
  readonly details?: unknown;
  /** How long to wait before trying again (a throttled login). */
  readonly retryAfterSeconds?: unknown;
}

/** The status a stable code answers with, or undefined for a code the table does not map. */
export function statusOfCode(code: string): number | undefined {
  return Object.hasOwn(STATUS_OF_CODE, code) ? STATUS_OF_CODE[code] : undefined;
}

function codedError(exception: unknown): CodedError | null {
  if (!(exception instanceof Error)) return null;
  const { code } = exception as { code?: unknown };
  return typeof code === 'string' && Object.hasOwn(STATUS_OF_CODE, code) ? (exception as CodedError) : null;
}

/**
 * One place where every failure becomes an HTTP answer. A client's mistake is always a 4xx with
 * the rule or the field in words; only a fault of ours is a 5xx, and that one is logged.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<FastifyReply>();
    const body = errorBody(exception);
    if (body.statusCode >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (response.sent) return;
    const retryAfter = codedError(exception)?.retryAfterSeconds;
    if (typeof retryAfter === 'number') response.header('Retry-After', String(retryAfter));
    // Open311 clients read errors in the GeoReport v2 format, JSON or XML as the URL asks.
    const { url } = host.switchToHttp().getRequest<FastifyRequest>();
    if (isOpen311Url(url)) return sendOpen311Error(response, url, body);
    void response.status(body.statusCode).send(body);
  }
}

/** The API.md error body for any failure. */
export function errorBody(exception: unknown): ErrorBody {
  const coded = codedError(exception);
  if (coded) return codedBody(coded);
  if (exception instanceof HttpException) return fromHttpException(exception);
  const requestError = clientRequestError(exception);
  if (requestError) return requestError;
  return base(HttpStatus.INTERNAL_SERVER_ERROR, 'internal error');
}

function codedBody(error: CodedError): ErrorBody {
  const statusCode = STATUS_OF_CODE[error.code]!;
  if (error instanceof WrongExpectedRevisionError) {
    const message = `${recordOf(error.streamId)} has changed: it is at revision ${error.actual ?? 'none'}, not ${String(error.expected)}; reload it`;
    return { ...base(statusCode, message), code: error.code, currentRevision: error.actual };
  }
  const body: ErrorBody = { ...base(statusCode, error.message), code: error.code };
  if (Array.isArray(error.details)) return { ...body, details: error.details as ErrorBody['details'] };
  if (typeof error.field === 'string') return { ...body, details: [{ field: error.field, message: error.message }] };
  return body;
}

/** What a stream holds, as a revision conflict names it. */
function recordOf(streamId: string): string {
  if (isCaseStream(streamId)) return 'the case';
  if (isBulletinStream(streamId)) return 'the bulletin';
  return 'the record';
}

function base(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

function fromHttpException(exception: HttpException): ErrorBody {
  const statusCode = exception.getStatus();
  const payload = exception.getResponse();
  if (typeof payload === 'string') return base(statusCode, payload);
  const { message, code, details } = payload as { message?: unknown; code?: string; details?: ErrorBody['details'] };
  const text = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
  return { ...base(statusCode, text), ...(code ? { code } : {}), ...(details ? { details } : {}) };
}

/**
 * What the HTTP server refuses before a route runs: a body that is not JSON, too large, in an
 * unsupported type or encoding, or unreadable (see body.ts). These errors carry a 4xx
 * `statusCode` and are safe to show; anything else is not the client's mistake.
 */
function clientRequestError(exception: unknown): ErrorBody | null {
  const { statusCode: status, code, message } = (exception ?? {}) as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  if (code === MALFORMED_JSON) {
    const text = 'malformed JSON in the request body';
    return { ...base(HttpStatus.BAD_REQUEST, text), code: 'malformed_json', details: [{ field: 'body', message: text }] };
  }
  if (status === HttpStatus.PAYLOAD_TOO_LARGE) return base(status, 'the request body is larger than 1 MB');
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return base(status, 'the request body must be JSON (Content-Type: application/json)');
  const text = typeof message === 'string' ? message : 'the request could not be read';
  return { ...base(status, text), ...(status === HttpStatus.BAD_REQUEST ? { details: [{ field: 'body', message: text }] } : {}) };
}
