import fastifyHelmet from '@fastify/helmet';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module.js';
import { findConsoleDir, serveConsole } from './console.js';
import { LOGIN_PATH } from './auth/auth.controller.js';
import { acceptJsonBodies, BODY_LIMIT_BYTES } from './http/body.js';
import { errorBody } from './http/error-filter.js';
import { acceptMultipartBodies } from './http/multipart.js';
import { createValidationPipe } from './http/validation.js';
import { acceptOpen311Forms } from './open311/open311-format.js';
import { describeApi } from './openapi/document.js';
import { Metrics } from './ops/metrics.js';
import { serveQueueBoard } from './ops/queue-board.js';
import type { Logger } from 'pino';
import { LoginLimits, LoginService, LoginThrottledError } from '#accounts';
import { JOB_QUEUES, type JobQueues } from '#jobs';
import { PinoNestLogger, clientRequestId, requestContext, startComposed, type AppConfig, type RequestContext } from '#platform';
import type { Now } from '#runtime';

/** What a request carries from its first hook to its last. */
interface RequestScope {
  readonly context: RequestContext;
  /** Runs the rest of the request in the request's log context, also after the body was read. */
  readonly resource: AsyncResource;
}

const scopes = new WeakMap<FastifyRequest, RequestScope>();

export interface HttpAppOptions {
  readonly config: AppConfig;
  readonly logger: Logger;
  /** Run the BullMQ workers in this process too (`npm start`), or leave them to `apps/worker`. */
  readonly workers: boolean;
  /** The current time of the whole application; tests drive it. */
  readonly now?: Now;
}

/**
 * Builds and initialises the NestJS application, the engine's modules included (databases,
 * projections, workers), with its middleware, validation, errors and OpenAPI; if any of it fails,
 * what was opened is closed. `listen()` then serves it; `close()` stops the HTTP server, then the
 * engine, newest part first.
 */
export function createHttpApp(options: HttpAppOptions): Promise<NestFastifyApplication> {
  const { config, logger, workers } = options;
  const now = options.now ?? (() => new Date());
  return startComposed(logger, async (shutdown) => {
    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot({ config, logger, now, shutdown, workers }),
      // request.ip: the socket's peer, or with TRUST_PROXY the client that the named proxies report in X-Forwarded-For.
      new FastifyAdapter({
        bodyLimit: BODY_LIMIT_BYTES,
        routerOptions: { ignoreTrailingSlash: true },
        trustProxy: config.trustProxy ? [...config.trustProxy] : false,
        // A request must arrive whole within 10 minutes (5 files of 20 MB over a slow mobile link):
        // a trickling client cannot hold a socket and a half-staged upload for ever. (Fastify's
        // default is no limit; answers that take long to compute are not affected.)
        requestTimeout: 10 * 60 * 1000,
      }),
      { bodyParser: false, logger: new PinoNestLogger(logger), abortOnError: false },
    );
    try {
      await setUpHttp(app, logger, now);
      await app.init();
      return app;
    } catch (error) {
      await app.close();
      throw error;
    }
  });
}

async function setUpHttp(app: NestFastifyApplication, logger: Logger, now: Now): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  await sendWebHeaders(fastify);
  logEveryRequest(fastify, logger, app.get(Metrics));
  refuseThrottledLoginsEarly(fastify, app.get(LoginLimits), now);
  acceptJsonBodies(fastify);
  acceptOpen311Forms(fastify);
  await acceptMultipartBodies(fastify);
  await serveQueueBoard(fastify, app.get<JobQueues>(JOB_QUEUES), app.get(LoginService), now);
  const consoleDir = findConsoleDir();
  if (consoleDir) await serveConsole(fastify, consoleDir);
  else logger.warn('the web console is not built (npm run build): only the API is served');
  app.useGlobalPipes(createValidationPipe());

  SwaggerModule.setup('api/docs', app, describeApi(app), { jsonDocumentUrl: 'api/docs-json' });
}

/**
 * A login from an address this process already knows at its limit is refused before its body is
 * read or the route runs, with the same 429 the route would give: under a login flood, the
 * refusals then cost next to nothing and everyone else's requests stay fast.
 */
function refuseThrottledLoginsEarly(fastify: FastifyInstance, limits: LoginLimits, now: Now): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    // The matched route, not the raw URL: a query string or a trailing slash is the same login.
    if (request.method !== 'POST' || request.routeOptions.url !== LOGIN_PATH) return done();
    const retryAfterSeconds = limits.knownRefusal(null, request.ip, now().getTime());
    if (retryAfterSeconds === null) return done();
    void reply.code(429).header('Retry-After', String(retryAfterSeconds)).send(errorBody(new LoginThrottledError(retryAfterSeconds)));
  });
}

/**
 * The web security headers on every response (API.md, "Web headers"): a Content-Security-Policy
 * that runs scripts from this server's own files only (the console's build, Swagger UI with its
 * init script served as a file, Bull Board), never inline ones, and lets no page be framed;
 * `nosniff`; no Referer sent. Inline styles stay allowed: Swagger UI and the dossier page use them.
 */
async function sendWebHeaders(fastify: FastifyInstance): Promise<void> {
  await fastify.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Served over plain HTTP on a LAN too: neither force HTTPS on the browser nor upgrade its requests.
    strictTransportSecurity: false,
  });
}

/**
 * A request id of the server's making on every request and every log line (answered as
 * `X-Request-Id`), with the client's own `X-Request-Id` beside it when it is one we keep; one line
 * and one metric per finished request.
 */
function logEveryRequest(fastify: FastifyInstance, logger: Logger, metrics: Metrics): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const requestId = randomUUID();
    reply.header('X-Request-Id', requestId);
    const context: RequestContext = { requestId, clientRequestId: clientRequestId(request.headers['x-request-id']) };
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
      logger.info({ method: request.method, url: loggedUrl(request.url), status: reply.statusCode, ms: Math.round(seconds * 1000) }, 'request'),
    );
    done();
  });
}

/** Query parameters whose values are secrets: a resident's access code, an Open311 client's key. */
const SECRET_PARAMETERS = /([?&](?:code|api_key)=)[^&#]*/gi;

/** The URL as the request log keeps it: secrets in the query string replaced by `***`. */
export function loggedUrl(url: string): string {
  return url.replace(SECRET_PARAMETERS, '$1***');
}
