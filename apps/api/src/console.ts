import fastifyStatic from '@fastify/static';
import { NotFoundException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The web console: the single-page app that `vite build` writes to dist/console, served at `/`.
 * Hashed files under /assets never change, so browsers keep them for a year; every other file,
 * index.html above all, is revalidated on each load so that a new build shows at once.
 */

/** Where the build lies: seen from the compiled server (dist/apps/api/src) or from its sources (apps/api/src). */
const CONSOLE_DIR_CANDIDATES = [new URL('../../../console', import.meta.url), new URL('../../../dist/console', import.meta.url)].map(
  (url) => fileURLToPath(url),
);

/** Paths the server answers itself: a miss there is the API's JSON 404, never the console's page. */
const SERVER_PATHS = ['/api', '/health', '/metrics', '/admin', '/open311'];

const ASSETS_PATH = '/assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The built console's folder, or null when the console has not been built. */
export function findConsoleDir(): string | null {
  return CONSOLE_DIR_CANDIDATES.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

function isServerPath(path: string): boolean {
  return SERVER_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * The console's files, then its page for any other GET of a path the server does not own, so that
 * a deep link such as /cases/<id> opens the app at that screen.
 */
export async function serveConsole(fastify: FastifyInstance, dir: string): Promise<void> {
  await fastify.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    index: false,
    // One route per built file, so that every other path reaches the page (or the API's 404).
    wildcard: false,
    setHeaders: (response, path) => {
      response.header('Cache-Control', path.startsWith(join(dir, 'assets')) ? IMMUTABLE : 'no-cache');
      response.header('X-Content-Type-Options', 'nosniff');
    },
  });
  const page = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?', 1)[0]!;
    // A missing hashed file (an old page asking for a replaced build) is the API's 404, not the page.
    if (isServerPath(path) || path.startsWith(ASSETS_PATH)) throw new NotFoundException(`Cannot GET ${path}`);
    return reply.header('Cache-Control', 'no-cache').header('X-Content-Type-Options', 'nosniff').sendFile('index.html');
  };
  fastify.get('/', page);
  fastify.get('/*', page);
}
