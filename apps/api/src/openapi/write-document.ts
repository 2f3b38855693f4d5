/**
 * `npm run openapi`: writes the API's OpenAPI document to docs/openapi.json and the console's
 * types generated from it to apps/console/src/api/openapi.gen.ts. With `--check` it writes
 * nothing and fails when either file differs from what the code describes (CI runs it so).
 *
 * The document is read off the application's routes without starting the engine: Nest's preview
 * mode builds the module graph without running any provider, so no database is needed.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { createLogger, loadConfig } from '#platform';
import { Shutdown } from '#runtime';
import { AppModule } from '../app.module.js';
import { describeApi } from './document.js';

export const DOCUMENT_FILE = 'docs/openapi.json';
export const CLIENT_TYPES_FILE = 'apps/console/src/api/openapi.gen.ts';

/** The document as the running application serves it, from its routes alone. */
export async function currentDocument(): Promise<OpenAPIObject> {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const logger = createLogger('silent');
  const settings = { config, logger, now: () => new Date(), shutdown: new Shutdown(() => {}), workers: false };
  const app = await NestFactory.create(AppModule.forRoot(settings), new FastifyAdapter(), { preview: true, logger: false, abortOnError: false });
  try {
    return describeApi(app);
  } finally {
    await app.close();
  }
}

/** The document as docs/openapi.json holds it. */
export function documentText(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** TypeScript types of every schema and operation of the document, for the console (and any TypeScript client). */
export async function clientTypesText(document: OpenAPIObject): Promise<string> {
  const ast = await openapiTS(JSON.parse(JSON.stringify(document)), { immutable: true });
  return `/* Generated from docs/openapi.json by \`npm run openapi\`: do not edit. */\n${astToString(ast)}`;
}

async function main(check: boolean): Promise<number> {
  const document = await currentDocument();
  const wanted = [
    { file: DOCUMENT_FILE, text: documentText(document) },
    { file: CLIENT_TYPES_FILE, text: await clientTypesText(document) },
  ];
  let stale = 0;
  for (const { file, text } of wanted) {
    const path = join(process.cwd(), file);
    const current = await readFile(path, 'utf8').catch(() => null);
    if (current === text) continue;
    if (check) {
      console.error(`${file} is not what the code describes: run npm run openapi and commit it`);
      stale++;
    } else {
      await writeFile(path, text);
      console.log(`wrote ${file}`);
    }
  }
  if (!stale) console.log(check ? `${DOCUMENT_FILE} and ${CLIENT_TYPES_FILE} are up to date` : `${Object.keys(document.paths).length} paths described`);
  return stale ? 1 : 0;
}

// Run as a script (npm scripts run in the repository's root, where the files are named from).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.includes('--check')).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
