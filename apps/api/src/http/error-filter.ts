import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { AccountsError, InvalidUserInputError, LoginThrottledError } from '#accounts';
import { DomainError, InvalidError } from '#domain';
import { WrongExpectedRevisionError } from '#event-store';
import { IdempotencyKeyReusedError } from '#cases';

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
    const response = host.switchToHttp().getResponse<Response>();
    const body = errorBody(exception);
    if (exception instanceof LoginThrottledError) response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    if (body.statusCode >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (response.headersSent) return;
    response.status(body.statusCode).json(body);
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
  const parserError = bodyParserError(exception);
  if (parserError) return parserError;
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

/** Express's body parser signals malformed JSON and oversized bodies with typed errors, other faults of the body as exposable 4xx errors. */
function bodyParserError(exception: unknown): ErrorBody | null {
  const type = (exception as { type?: unknown })?.type;
  if (type === 'entity.parse.failed') {
    const message = 'malformed JSON in the request body';
    return { ...base(HttpStatus.BAD_REQUEST, message), code: 'malformed_json', details: [{ field: 'body', message }] };
  }
  if (type === 'entity.too.large') return base(HttpStatus.PAYLOAD_TOO_LARGE, 'the request body is larger than 1 MB');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') return base(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'the request body must be UTF-8 JSON');
  // Any other fault of the client's body (a corrupt compressed body, a wrong length): the parser
  // raises it as an http-errors 4xx that is safe to show.
  const { status, expose, message } = (exception ?? {}) as { status?: unknown; expose?: unknown; message?: unknown };
  if (expose === true && typeof status === 'number' && status >= 400 && status < 500) {
    const text = `the request body could not be read${typeof message === 'string' ? `: ${message}` : ''}`;
    return { ...base(status, text), ...(status === HttpStatus.BAD_REQUEST ? { details: [{ field: 'body', message: text }] } : {}) };
  }
  return null;
}
