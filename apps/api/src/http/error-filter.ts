import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { AccountsError, InvalidUserInputError, LoginThrottledError } from '#accounts';
import { DomainError, InvalidError } from '#domain';
import { WrongExpectedRevisionError } from '#event-store';
import { IdempotencyKeyReusedError } from '#cases';
import { MALFORMED_JSON } from './body.js';

/** The error body of API.md: `{ statusCode, error, message, code?, details? }`. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code?: string;
  details?: readonly { field: string; message: string }[];
  currentRevision?: number | null;
}

const DOMAIN_STATUS: Record<DomainError['code'], number> = {
  illegal_transition: HttpStatus.CONFLICT,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  invalid: HttpStatus.BAD_REQUEST,
};

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
    if (exception instanceof LoginThrottledError) response.header('Retry-After', String(exception.retryAfterSeconds));
    void response.status(body.statusCode).send(body);
  }
}

/** The API.md error body for any failure. */
export function errorBody(exception: unknown): ErrorBody {
  if (exception instanceof WrongExpectedRevisionError) {
    return {
      ...base(HttpStatus.CONFLICT, `the case has changed: it is at revision ${exception.actual ?? 'none'}, not ${String(exception.expected)}; reload it`),
      code: 'revision_conflict',
      currentRevision: exception.actual,
    };
  }
  if (exception instanceof DomainError) {
    const body = { ...base(DOMAIN_STATUS[exception.code], exception.message), code: exception.code };
    return exception instanceof InvalidError ? { ...body, details: [{ field: exception.field, message: exception.message }] } : body;
  }
  if (exception instanceof AccountsError) {
    const body = { ...base(exception.httpStatus, exception.message), code: exception.code };
    return exception instanceof InvalidUserInputError ? { ...body, details: exception.details } : body;
  }
  if (exception instanceof IdempotencyKeyReusedError) return { ...base(HttpStatus.CONFLICT, exception.message), code: exception.code };
  if (exception instanceof HttpException) return fromHttpException(exception);
  const requestError = clientRequestError(exception);
  if (requestError) return requestError;
  return base(HttpStatus.INTERNAL_SERVER_ERROR, 'internal error');
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
