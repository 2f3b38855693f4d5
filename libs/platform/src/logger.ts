import type { LoggerService, LogLevel } from '@nestjs/common';
import { pino, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import { currentRequest } from './request-context.js';

/**
 * Structured logs; each line of a request names the request and the acting user. JSON lines
 * for log collectors, or readable lines when a person watches (stdout is a terminal).
 */
export function createLogger(level: string, readable = process.stdout.isTTY === true): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'minyi' },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const context = currentRequest();
      return context ? { requestId: context.requestId, clientRequestId: context.clientRequestId, userId: context.userId, username: context.username } : {};
    },
  };
  if (!readable) return pino(options);
  // In this thread (sync), not a transport's worker: the lines of a crash are not lost on exit.
  return pino(options, pretty({ sync: true, colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }));
}

/** Nest's start-up chatter (a line per module and per route): useful when debugging, noise otherwise. */
const NEST_DEBUG_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** NestJS's own messages, through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    if (context && NEST_DEBUG_CONTEXTS.has(context)) this.logger.debug({ context }, String(message));
    else this.logger.info({ context }, String(message));
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
