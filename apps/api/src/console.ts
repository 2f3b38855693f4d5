import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
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
const SERVER_PATHS = ['/api', '/health', '/metrics', '/admin'];

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
export function consoleHandlers(dir: string): RequestHandler[] {
  const files = express.static(dir, {
    index: false,
    setHeaders: (response, path) => {
      response.setHeader('Cache-Control', path.startsWith(join(dir, 'assets')) ? IMMUTABLE : 'no-cache');
      response.setHeader('X-Content-Type-Options', 'nosniff');
    },
  });
  const page = (request: Request, response: Response, next: NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || isServerPath(request.path)) return next();
    // A missing hashed file (an old page asking for a replaced build) is the API's 404, not the page.
    if (request.path.startsWith(ASSETS_PATH)) return next();
    response.setHeader('Cache-Control', 'no-cache');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.sendFile(join(dir, 'index.html'), (error) => error && next(error));
  };
  const filesOutsideServerPaths = (request: Request, response: Response, next: NextFunction) =>
    isServerPath(request.path) ? next() : files(request, response, next);
  return [filesOutsideServerPaths, page];
}
