import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module.js';
import { consoleHandlers, findConsoleDir } from './console.js';
import { errorBody } from './http/error-filter.js';
import { createValidationPipe } from './http/validation.js';
import { Metrics } from './ops/metrics.js';
import { QUEUE_BOARD_PATH, queueBoard } from './ops/queue-board.js';
import { PinoNestLogger, requestContext, type Engine } from '#platform';
import type { Clock } from './platform/tokens.js';

/** Builds the NestJS application over a started engine: middleware, validation, errors, OpenAPI. */
export async function createHttpApp(engine: Engine, options: { clock?: Clock } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(engine, options.clock), {
    bodyParser: false,
    logger: new PinoNestLogger(engine.logger),
  });
  const metrics = app.get(Metrics);
  const log = engine.logger;

  // A request id on every request and every log line; one line per finished request.
  app.use((request: Request, response: Response, next: NextFunction) => {
    const requestId = request.header('x-request-id')?.slice(0, 100) || randomUUID();
    response.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    const context = { requestId } as { requestId: string; userId?: string; username?: string };
    response.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.httpRequests.observe({ method: request.method, route, status: String(response.statusCode) }, seconds);
      requestContext.run(context, () =>
        log.info({ method: request.method, url: request.originalUrl, status: response.statusCode, ms: Math.round(seconds * 1000) }, 'request'),
      );
    });
    requestContext.run(context, next);
  });
  app.use(express.json({ limit: '1mb' }));
  // Malformed or oversized bodies fail in the parser, before NestJS: answer them in the API's error shape.
  app.use((error: unknown, _request: Request, response: Response, next: NextFunction) => {
    if (response.headersSent) return next(error);
    const body = errorBody(error);
    response.status(body.statusCode).json(body);
  });
  app.use(QUEUE_BOARD_PATH, ...queueBoard(engine, options.clock ?? (() => new Date())));
  const consoleDir = findConsoleDir();
  if (consoleDir) app.use(...consoleHandlers(consoleDir));
  else log.warn('the web console is not built (npm run build): only the API is served');
  app.useGlobalPipes(createValidationPipe());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('minyi API')
      .setDescription('Cases of the grassroots network: filing, coordination, escalation, annotation, audit.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
