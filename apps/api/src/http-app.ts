import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module.js';
import { findConsoleDir, serveConsole } from './console.js';
import { acceptJsonBodies, BODY_LIMIT_BYTES } from './http/body.js';
import { createValidationPipe } from './http/validation.js';
import { Metrics } from './ops/metrics.js';
import { serveQueueBoard } from './ops/queue-board.js';
import { PinoNestLogger, requestContext, type Engine, type RequestContext } from '#platform';
import type { Clock } from './platform/tokens.js';

/** What a request carries from its first hook to its last. */
interface RequestScope {
  readonly context: RequestContext;
  /** Runs the rest of the request in the request's log context, also after the body was read. */
  readonly resource: AsyncResource;
}

const scopes = new WeakMap<FastifyRequest, RequestScope>();

/** Builds the NestJS application over a started engine: middleware, validation, errors, OpenAPI. */
export async function createHttpApp(engine: Engine, options: { clock?: Clock } = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(engine, options.clock),
    new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, routerOptions: { ignoreTrailingSlash: true } }),
    { bodyParser: false, logger: new PinoNestLogger(engine.logger) },
  );
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  logEveryRequest(fastify, engine, app.get(Metrics));
  acceptJsonBodies(fastify);
  await serveQueueBoard(fastify, engine, options.clock ?? (() => new Date()));
  const consoleDir = findConsoleDir();
  if (consoleDir) await serveConsole(fastify, consoleDir);
  else engine.logger.warn('the web console is not built (npm run build): only the API is served');
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

/** A request id on every request and every log line; one line and one metric per finished request. */
function logEveryRequest(fastify: FastifyInstance, engine: Engine, metrics: Metrics): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const header = request.headers['x-request-id'];
    const requestId = (typeof header === 'string' ? header.slice(0, 100) : '') || randomUUID();
    reply.header('X-Request-Id', requestId);
    const context: RequestContext = { requestId };
    requestContext.run(context, () => {
      scopes.set(request, { context, resource: new AsyncResource('minyi-request') });
      done();
    });
  });
  // Reading the body leaves the context behind; the route and its guards run in it again.
  fastify.addHook('preValidation', (request, _reply, done) => {
    const scope = scopes.get(request);
    if (scope) scope.resource.runInAsyncScope(done);
    else done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const seconds = reply.elapsedTime / 1000;
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.observe({ method: request.method, route, status: String(reply.statusCode) }, seconds);
    const context = scopes.get(request)?.context ?? { requestId: String(reply.getHeader('X-Request-Id') ?? '') };
    requestContext.run(context, () =>
      engine.logger.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(seconds * 1000) }, 'request'),
    );
    done();
  });
}
