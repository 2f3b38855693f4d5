import OpenAPIResponseValidator from 'openapi-response-validator';
import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';

/**
 * Every response an e2e test receives is checked against the OpenAPI document the app serves:
 * its status must be one the operation lists, its content type one the status lists, and a JSON
 * body must match the schema. So the published contract cannot drift from the code. Objects are
 * checked closed: a field the document does not name is a violation too (the published document
 * leaves them open, as clients must ignore fields added later).
 */

// The package is CommonJS: its class is the default export's `default`.
export const ResponseValidator = (OpenAPIResponseValidator as unknown as { default: typeof OpenAPIResponseValidator.default }).default ?? OpenAPIResponseValidator;

/** The paths that belong to the API (the console's files, Bull Board and the docs pages do not). */
const API_PATHS = /^\/(api\/v1\/|open311\/|health$|metrics$)/;

export const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly pattern: RegExp;
  /** How many characters of the path are literal: `/cases/similar` wins over `/cases/{id}`. */
  readonly literal: number;
  readonly operation: OperationObject;
}

/** A response as the test client saw it. */
export interface SeenResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
  readonly text?: string;
}

type Validator = { validateResponse(status: number, body: unknown): { message: string; errors: { path?: string; message: string }[] } | undefined };

const FORMATS: Record<string, (value: string) => boolean> = {
  'date-time': (value) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value) && !Number.isNaN(Date.parse(value)),
  date: (value) => /^\d{4}-\d\d-\d\d$/.test(value),
  uuid: (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value),
};

export class ContractChecker {
  private readonly operations: readonly Operation[];
  private readonly components: Record<string, unknown>;
  private readonly validators = new Map<string, Validator>();

  constructor(document: OpenAPIObject) {
    const closed = closeObjects(structuredClone(document)) as OpenAPIObject;
    this.components = closed.components as Record<string, unknown>;
    this.operations = Object.entries(closed.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => {
        const source = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{[^}]+\\\}/g, '[^/]+');
        return { method, path, pattern: new RegExp(`^${source}$`), literal: path.replace(/\{[^}]+\}/g, '').length, operation: item[method]! };
      }),
    );
  }

  /** What is wrong with this response to `method url` by the document, or null when nothing is. */
  check(method: string, url: string, response: SeenResponse): string | null {
    const path = new URL(url, 'http://localhost').pathname.replace(/(.)\/+$/, '$1');
    if (!API_PATHS.test(path)) return null;
    const lower = method.toLowerCase();
    const found = this.operations.filter((candidate) => candidate.method === lower && candidate.pattern.test(path)).sort((a, b) => b.literal - a.literal)[0];
    const name = `${method.toUpperCase()} ${path}`;
    if (!found) {
      // The router's own 404 for a route that does not exist is no operation's answer; any other
      // answer (a 404 of a route's own included) comes from an operation the document lacks.
      if (response.status === 404 && isRouterNotFound(response)) return null;
      return `${name} answered ${response.status}, but the document has no such operation`;
    }
    const operationName = `${found.method.toUpperCase()} ${found.path}`;
    const documented = this.response(found.operation, response.status);
    if (!documented) return `${operationName} answered ${response.status}, which the document does not list for it`;
    const mediaType = String(response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const content = documented.content;
    if (!content) {
      return hasBody(response) ? `${operationName} ${response.status} answered a body (${mediaType || 'no content type'}), but the document describes none for it` : null;
    }
    const listed = Object.keys(content);
    if (!listed.some((type) => matchesMediaType(type, mediaType))) return `${operationName} ${response.status} answered ${mediaType || 'no content type'}, but the document lists ${listed.join(', ')}`;
    if (mediaType !== 'application/json' || !content['application/json']) return null;
    const outcome = this.validator(found, response.status, documented).validateResponse(response.status, response.body);
    if (!outcome) return null;
    const problems = outcome.errors.map((error) => `${error.path ?? 'response'}: ${error.message}`).join('; ');
    return `${operationName} ${response.status} does not match its schema: ${problems}\n  body: ${JSON.stringify(response.body).slice(0, 600)}`;
  }

  private response(operation: OperationObject, status: number): ResponseObject | undefined {
    const listed = operation.responses[String(status)] as (ResponseObject & { $ref?: string }) | undefined;
    if (!listed?.$ref) return listed;
    const name = listed.$ref.replace('#/components/responses/', '');
    return (this.components.responses as Record<string, ResponseObject>)[name];
  }

  private validator(found: Operation, status: number, response: ResponseObject): Validator {
    const key = `${found.method} ${found.path} ${status}`;
    let validator = this.validators.get(key);
    if (!validator) {
      const json = { description: response.description, content: { 'application/json': response.content!['application/json']! } };
      validator = new ResponseValidator({ responses: { [status]: json }, components: this.components, customFormats: FORMATS } as never) as Validator;
      this.validators.set(key, validator);
    }
    return validator;
  }
}

/**
 * Nest's answer when no route matches (`Cannot GET /api/v1/nowhere`): in the API's error body, or
 * under /open311 in GeoReport's error list, JSON or XML.
 */
function isRouterNotFound(response: SeenResponse): boolean {
  const text = response.text ?? JSON.stringify(response.body ?? '');
  return /Cannot [A-Z]+ \//.test(text);
}

/** Whether the response carried any bytes, however the client read them (a custom parser leaves no text). */
function hasBody(response: SeenResponse): boolean {
  const length = response.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  if (response.headers['transfer-encoding'] !== undefined) return true;
  return (response.text ?? '') !== '' || (Buffer.isBuffer(response.body) && response.body.length > 0);
}

/** Whether a listed media type (`text/csv; charset=utf-8`, `image/*`) covers the one answered, compared without parameters. */
function matchesMediaType(listedType: string, actual: string): boolean {
  const listed = listedType.split(';')[0]!.trim().toLowerCase();
  if (listed === '*/*' || listed === actual) return true;
  return listed.endsWith('/*') && actual.startsWith(listed.slice(0, -1));
}

/**
 * Every object schema that names its properties and says nothing of others gets
 * `additionalProperties: false`, except the members of an `allOf`, which each name only part of
 * the object (the schemas they refer to are closed, and name it whole).
 */
function closeObjects(node: unknown, inAllOf = false): unknown {
  if (Array.isArray(node)) return node.map((item) => closeObjects(item, inAllOf));
  if (typeof node !== 'object' || node === null) return node;
  const schema = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'example' || key === 'examples') continue;
    schema[key] = key === 'allOf' ? (value as unknown[]).map((member) => closeObjects(member, true)) : closeObjects(value);
  }
  if (!inAllOf && typeof schema.properties === 'object' && !('additionalProperties' in schema) && !('$ref' in schema)) schema.additionalProperties = false;
  return schema;
}

/** The violations seen since the last test ended (a test's own, or its file's set-up's). */
const violations: string[] = [];

/** Takes the violations seen so far, leaving none. */
export function takeViolations(): string[] {
  return violations.splice(0);
}

/** A superagent plugin that checks every response of the request it is given. */
export function checkedAgainst(checker: ContractChecker): (request: unknown) => void {
  return (request) => {
    const checked = request as { method: string; url: string; end(callback?: EndCallback): unknown };
    const end = checked.end;
    checked.end = function (this: unknown, callback?: EndCallback) {
      return end.call(this, (error, response) => {
        const problem = response ? checker.check(checked.method, checked.url, response as SeenResponse) : null;
        if (problem) violations.push(problem);
        callback?.(error, response);
      });
    };
  };
}

type EndCallback = (error: unknown, response: unknown) => void;
