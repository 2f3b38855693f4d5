import { describe, expect, it } from '@jest/globals';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ContractChecker } from './contract.js';

/** A small document in the shape the API's own has: a named schema, an error answer shared by reference. */
const DOCUMENT = {
  openapi: '3.0.0',
  info: { title: 'test', version: '1' },
  paths: {
    '/api/v1/cases/{id}': {
      get: {
        responses: {
          200: { description: 'the case', content: { 'application/json': { schema: { $ref: '#/components/schemas/Case' } } } },
          404: { $ref: '#/components/responses/NotFound' },
        },
      },
    },
    '/api/v1/cases/similar': {
      get: { responses: { 200: { description: 'similar', content: { 'application/json': { schema: { type: 'array', items: { type: 'string' } } } } } } },
    },
    '/api/v1/auth/logout': { post: { responses: { 204: { description: 'logged out' } } } },
    '/api/v1/cases/{id}/dossier': { get: { responses: { 200: { description: 'a page', content: { 'text/html': { schema: { type: 'string' } } } } } } },
  },
  components: {
    schemas: {
      Case: {
        type: 'object',
        required: ['id', 'title', 'closedAt'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          title: { type: 'string', example: '小区停车位纠纷' },
          closedAt: { type: 'string', format: 'date-time', nullable: true },
          filer: { type: 'object', properties: { name: { type: 'string' } } },
        },
      },
      ErrorBody: { type: 'object', required: ['statusCode', 'message'], properties: { statusCode: { type: 'integer' }, message: { type: 'string' }, code: { type: 'string' } } },
    },
    responses: {
      NotFound: {
        description: 'not found',
        content: {
          'application/json': {
            schema: { allOf: [{ $ref: '#/components/schemas/ErrorBody' }, { type: 'object', properties: { statusCode: { enum: [404] }, code: { type: 'string', enum: ['not_found'] } } }] },
          },
        },
      },
    },
  },
} as unknown as OpenAPIObject;

const ID = '0b8f3c1e-5d2a-4c1b-9f7e-2a6d4b8c9e01';
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
const aCase = { id: ID, title: '小区停车位纠纷', closedAt: null };

describe('the contract checker', () => {
  const checker = new ContractChecker(DOCUMENT);
  const check = (method: string, url: string, status: number, body: unknown, headers: Record<string, string> = JSON_TYPE, text?: string) =>
    checker.check(method, url, { status, headers, body, text: text ?? (body === undefined ? '' : JSON.stringify(body)) });

  it('passes a response that matches its schema, wherever the path has a query string or a trailing slash', () => {
    expect(check('GET', `http://127.0.0.1:1234/api/v1/cases/${ID}?lang=en`, 200, aCase)).toBeNull();
    expect(check('GET', `/api/v1/cases/${ID}/`, 200, { ...aCase, filer: { name: '张三' } })).toBeNull();
  });

  it('refuses a field the schema does not name, at any depth', () => {
    expect(check('GET', `/api/v1/cases/${ID}`, 200, { ...aCase, secret: 1 })).toMatch(/GET \/api\/v1\/cases\/\{id\} 200 does not match its schema: .*additional properties/);
    expect(check('GET', `/api/v1/cases/${ID}`, 200, { ...aCase, filer: { name: '张三', phone: '13812345678' } })).toMatch(/additional properties/);
  });

  it('refuses a missing required field, a null where none is allowed, and a malformed date-time or uuid', () => {
    expect(check('GET', `/api/v1/cases/${ID}`, 200, { id: ID, closedAt: null })).toMatch(/title/);
    expect(check('GET', `/api/v1/cases/${ID}`, 200, { ...aCase, title: null })).toMatch(/title/);
    expect(check('GET', `/api/v1/cases/${ID}`, 200, { ...aCase, closedAt: '2026-12-06 09:00' })).toMatch(/closedAt/);
    expect(check('GET', `/api/v1/cases/${ID}`, 200, { ...aCase, closedAt: '2026-12-06T09:00+08:00' })).toMatch(/closedAt/);
    expect(check('GET', `/api/v1/cases/${ID}`, 200, { ...aCase, closedAt: '2026-12-06T01:00:00.000Z' })).toBeNull();
    expect(check('GET', `/api/v1/cases/${ID}`, 200, { ...aCase, id: 'not-a-uuid' })).toMatch(/id/);
  });

  it('refuses a status the operation does not list, and checks an error answer shared by reference, code included', () => {
    expect(check('GET', `/api/v1/cases/${ID}`, 409, { statusCode: 409, message: 'no' })).toMatch(/answered 409, which the document does not list/);
    expect(check('GET', `/api/v1/cases/${ID}`, 404, { statusCode: 404, message: 'no case', code: 'not_found' })).toBeNull();
    expect(check('GET', `/api/v1/cases/${ID}`, 404, { statusCode: 404, message: 'no case', code: 'gone' })).toMatch(/code/);
    expect(check('GET', `/api/v1/cases/${ID}`, 404, { statusCode: 404, message: 'no case', extra: true })).toMatch(/additional properties/);
  });

  it('prefers the literal path to a parameter, and refuses a content type the status does not list', () => {
    expect(check('GET', '/api/v1/cases/similar', 200, ['a'])).toBeNull();
    expect(check('GET', `/api/v1/cases/${ID}/dossier`, 200, undefined, { 'content-type': 'text/html; charset=utf-8' }, '<html></html>')).toBeNull();
    expect(check('GET', `/api/v1/cases/${ID}/dossier`, 200, {}, JSON_TYPE)).toMatch(/answered application\/json, but the document lists text\/html/);
  });

  it('refuses a body where the document describes none', () => {
    expect(check('POST', '/api/v1/auth/logout', 204, undefined, {}, '')).toBeNull();
    expect(check('POST', '/api/v1/auth/logout', 204, { ok: true })).toMatch(/describes none/);
    // Read by a custom parser, the body leaves no text: its length still tells.
    const unread = { status: 204, headers: { 'content-type': 'application/json', 'content-length': '15' }, body: undefined, text: undefined };
    expect(checker.check('POST', '/api/v1/auth/logout', unread)).toMatch(/describes none/);
  });

  it('refuses an answer from an operation the document does not have, but not the router’s 404 for no route', () => {
    expect(check('DELETE', `/api/v1/cases/${ID}`, 200, {})).toMatch(/no such operation/);
    expect(check('GET', '/api/v1/nowhere', 404, { statusCode: 404, error: 'Not Found', message: 'Cannot GET /api/v1/nowhere' })).toBeNull();
    // A 404 of a route's own, from a route the document lacks.
    expect(check('GET', `/api/v1/cases/${ID}/secrets`, 404, { statusCode: 404, message: 'no case', code: 'not_found' })).toMatch(/no such operation/);
  });

  it('leaves alone what is not the API: the console, the docs pages, the queue board', () => {
    expect(check('GET', '/assets/index.js', 200, undefined, { 'content-type': 'text/javascript' }, 'x')).toBeNull();
    expect(check('GET', '/api/docs-json', 200, {})).toBeNull();
    expect(check('GET', '/admin/queues', 401, {})).toBeNull();
  });
});
