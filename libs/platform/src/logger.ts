import type { LoggerService, LogLevel } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import { currentRequest } from './request-context.js';

/** Structured JSON logs; each line of a request names the request and the acting user. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'minyi' },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const context = currentRequest();
      return context ? { requestId: context.requestId, userId: context.userId, username: context.username } : {};
    },
  });
}

/** NestJS's own messages, through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
  setLogLevels(_levels: LogLevel[]): void {}
}
