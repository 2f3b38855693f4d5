import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from '@jest/globals';
import type { OpenAPIObject, OperationObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { readFile } from 'node:fs/promises';
import { statusOfCode } from '../src/http/error-filter.js';
import { CLIENT_TYPES_FILE, DOCUMENT_FILE, clientTypesText, currentDocument, documentText } from '../src/openapi/write-document.js';
import { METHODS, ResponseValidator } from './support/contract.js';
import { useTestApp, type TestApp } from './support/test-app.js';

/**
 * The published contract (issue: every response in OpenAPI): the document the app serves is the
 * one committed in docs/openapi.json and the one `npm run openapi` writes; the console's types are
 * generated from it; it is valid OpenAPI 3.0, and every operation documents what it answers.
 * (That every response the e2e tests receive matches it is checked by the test client itself.)
 */

/** Codes the HTTP layer gives itself, beside those of the error table (statusOfCode). */
const HTTP_LAYER_CODES: Readonly<Record<string, number>> = { malformed_json: 400, export_too_large: 400 };

describe('the OpenAPI document', () => {
  let t: TestApp;
  let served: OpenAPIObject;
  useTestApp(async (app) => {
    t = app;
    served = (await t.http().get('/api/docs-json').expect(200)).body as OpenAPIObject;
  });

  const operations = () =>
    Object.entries(served.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => ({ name: `${method.toUpperCase()} ${path}`, path, operation: item[method] as OperationObject })),
    );
  const resolve = (response: ResponseObject & { $ref?: string }): ResponseObject =>
    response.$ref ? (served.components!.responses![response.$ref.replace('#/components/responses/', '')] as ResponseObject) : response;

  it(`is the one committed in ${DOCUMENT_FILE}, and the one npm run openapi writes (run it after changing the API)`, async () => {
    const committed = await readFile(DOCUMENT_FILE, 'utf8');
    const stale = documentText(served) !== committed;
    expect(stale ? `${DOCUMENT_FILE} is stale: run npm run openapi and commit it` : 'up to date').toBe('up to date');
    expect(documentText(await currentDocument())).toBe(committed);
  });

  it(`gives the console its types: ${CLIENT_TYPES_FILE} is generated from it`, async () => {
    const committed = await readFile(CLIENT_TYPES_FILE, 'utf8');
    const stale = (await clientTypesText(served)) !== committed;
    expect(stale ? `${CLIENT_TYPES_FILE} is stale: run npm run openapi and commit it` : 'up to date').toBe('up to date');
  });

  it('is valid OpenAPI 3.0, every reference resolving', async () => {
    expect(served.openapi).toMatch(/^3\.0\./);
    await expect(SwaggerParser.validate(structuredClone(served) as never)).resolves.toBeTruthy();
  });

  it('describes what every operation answers when it succeeds: a schema for each body', () => {
    const undocumented: string[] = [];
    for (const { name, operation } of operations()) {
      const successes = Object.entries(operation.responses).filter(([status]) => status.startsWith('2'));
      if (successes.length === 0) undocumented.push(`${name}: no 2xx answer`);
      for (const [status, listed] of successes) {
        const response = resolve(listed as ResponseObject);
        if (status === '204') continue;
        const content = Object.entries(response.content ?? {});
        if (content.length === 0) undocumented.push(`${name} ${status}: no body described`);
        for (const [type, media] of content) if (!media.schema) undocumented.push(`${name} ${status} ${type}: no schema`);
      }
      if (!operation.summary) undocumented.push(`${name}: no summary`);
    }
    expect(undocumented).toEqual([]);
  });

  it('answers every error of /api/v1 with the error body of API.md, each code at the status the server gives it', () => {
    const wrong: string[] = [];
    for (const { name, path, operation } of operations()) {
      if (!path.startsWith('/api/v1/')) continue;
      const statuses = Object.keys(operation.responses);
      if (!statuses.includes('503')) wrong.push(`${name}: no 503`);
      if (operation.security?.length && !statuses.includes('401')) wrong.push(`${name}: a bearer route without 401`);
      for (const [status, listed] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        const schema = resolve(listed as ResponseObject).content?.['application/json']?.schema as SchemaObject | undefined;
        if ((schema?.allOf?.[0] as { $ref?: string } | undefined)?.$ref !== '#/components/schemas/ErrorBody') {
          wrong.push(`${name} ${status}: not the error body`);
          continue;
        }
        const codes = (((schema!.allOf![1] as SchemaObject).properties?.code as SchemaObject).enum ?? []) as string[];
        for (const code of codes) {
          const expected = statusOfCode(code) ?? HTTP_LAYER_CODES[code];
          if (expected === undefined) wrong.push(`${name} ${status}: code ${code} is no code the server gives`);
          else if (String(expected) !== status) wrong.push(`${name} ${status}: code ${code} answers ${expected}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('gives examples that match their own schemas', () => {
    const wrong: string[] = [];
    const components = served.components as Record<string, unknown>;
    const check = (where: string, schema: SchemaObject, example: unknown) => {
      const validator = new ResponseValidator({ responses: { 200: { description: where, content: { 'application/json': { schema } } } }, components } as never);
      const outcome = validator.validateResponse(200, example);
      if (outcome) wrong.push(`${where}: ${outcome.errors.map((error: { path?: string; message: string }) => `${error.path} ${error.message}`).join('; ')}`);
    };
    let examples = 0;
    for (const [name, schema] of Object.entries(served.components?.schemas ?? {}) as [string, SchemaObject][]) {
      if (schema.example !== undefined) {
        examples++;
        check(name, schema, schema.example);
      }
      for (const [property, child] of Object.entries(schema.properties ?? {}) as [string, SchemaObject][]) {
        if (child.example === undefined) continue;
        examples++;
        const { example, ...rest } = child;
        check(`${name}.${property}`, rest as SchemaObject, example);
      }
    }
    expect(wrong).toEqual([]);
    expect(examples).toBeGreaterThan(100);
  });
});
