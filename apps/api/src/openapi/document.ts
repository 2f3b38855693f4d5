import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type OperationObject, type ResponseObject, type SchemaObject } from '@nestjs/swagger';
import { HISTORY_EVENT_SCHEMA } from '../cases/case.responses.js';
import { BEFORE_PASSWORD_CHANGE_EXTENSION } from '../auth/auth.guard.js';
import { ERROR_BODY_SCHEMA, FIELD_PROBLEM_SCHEMA, errorSchema, refusalDescription, refusalReason, retryHeader, usualMeaning, type RefusalStatus } from './refusals.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/**
 * The published contract of the API: the document `/api/docs-json` serves, `docs/openapi.json`
 * holds and the console's types are generated from (`npm run openapi`). It depends on the code
 * alone, never on the settings, so every installation publishes the same document.
 */
export function describeApi(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('minyi API')
      .setDescription(
        'Cases of the grassroots network: filing, coordination, escalation, annotation, audit. Every error answers ' +
          '`{ statusCode, error, message, code?, details? }`; a refused request writes nothing. Objects may gain fields ' +
          'in later versions: clients should ignore fields they do not know.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
    // `casesAccept`, `usersList`: the names generated clients give their methods.
    { operationIdFactory: (controller, method) => `${controller[0]!.toLowerCase()}${controller.slice(1).replace(/Controller$/, '')}${method[0]!.toUpperCase()}${method.slice(1)}` },
  );
  document.components = {
    ...document.components,
    // Unions are no classes: named here, their members registered by the classes that refer to them.
    schemas: { ...document.components?.schemas, HistoryEvent: HISTORY_EVENT_SCHEMA, FieldProblem: FIELD_PROBLEM_SCHEMA, ErrorBody: ERROR_BODY_SCHEMA },
    responses: Object.fromEntries(SHARED_REFUSALS.map(({ name, status, codes }) => [name, refusalResponse(status, codes)])),
  };
  for (const schema of Object.values(document.components.schemas!)) allowNullReferences(schema as SchemaObject);
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) addCommonRefusals(`${method.toUpperCase()} ${path}`, method, operation);
    }
  }
  return document;
}

/** The error answers many routes share, named once under `components.responses`. */
const SHARED_REFUSALS: readonly { readonly name: string; readonly status: RefusalStatus; readonly codes: readonly string[] }[] = [
  { name: 'Invalid', status: 400, codes: [] },
  { name: 'InvalidJson', status: 400, codes: ['malformed_json'] },
  { name: 'Unauthorized', status: 401, codes: ['invalid_token', 'session_revoked'] },
  { name: 'PasswordChangeRequired', status: 403, codes: ['password_change_required'] },
  { name: 'TooLarge', status: 413, codes: [] },
  { name: 'NotJson', status: 415, codes: [] },
  { name: 'Unavailable', status: 503, codes: ['unavailable'] },
];

function refusalResponse(status: RefusalStatus, codes: readonly string[], when?: string): ResponseObject {
  return {
    description: refusalDescription(status, codes, when),
    ...retryHeader(status),
    content: { 'application/json': { schema: errorSchema(status, codes) } },
  };
}

/** The methods whose requests Fastify reads a body of, whatever the route declares. */
const BODY_METHODS: ReadonlySet<string> = new Set(['post', 'put', 'patch', 'delete']);

/** What any route of the API may answer besides its own refusals, by what it takes and who may call it. */
function addCommonRefusals(name: string, method: string, operation: OperationObject): void {
  const refusals = new Map<RefusalStatus, { codes: string[]; when?: string }>();
  for (const [key, listed] of Object.entries(operation.responses)) {
    const status = Number(key);
    if (status < 400) continue;
    const response = listed as ResponseObject;
    const schema = response.content?.['application/json']?.schema as SchemaObject | undefined;
    if ((schema?.allOf?.[0] as { $ref?: string } | undefined)?.$ref !== '#/components/schemas/ErrorBody') {
      throw new Error(`${name} ${status}: an error of the API is described with @Refuses (openapi/refusals.ts), not another schema`);
    }
    const codes = (((schema!.allOf![1] as SchemaObject).properties?.code as SchemaObject | undefined)?.enum ?? []) as string[];
    refusals.set(status as RefusalStatus, { codes: [...codes], when: refusalReason(response.description) });
  }
  const refuse = (status: RefusalStatus, more: readonly string[]) => {
    const known = refusals.get(status) ?? { codes: [] };
    refusals.set(status, { ...known, codes: [...known.codes, ...more.filter((code) => !known.codes.includes(code))] });
  };
  refuse(503, ['unavailable']);
  if (operation.security?.length) {
    refuse(401, ['invalid_token', 'session_revoked']);
    if (!(operation as unknown as Record<string, unknown>)[BEFORE_PASSWORD_CHANGE_EXTENSION]) refuse(403, ['password_change_required']);
  }
  if (BODY_METHODS.has(method)) {
    // Any body is read before the route runs (http/body.ts): one that is not JSON, too large or
    // of another type is refused there, also on a route that takes none.
    refuse(400, ['malformed_json']);
    refuse(413, []);
    refuse(415, []);
  } else if (operation.parameters?.some((parameter: object) => 'in' in parameter && parameter.in === 'query')) {
    refuse(400, []);
  }
  for (const [status, { codes, when }] of refusals) {
    const shared = SHARED_REFUSALS.find((refusal) => refusal.status === status && sameCodes(refusal.codes, codes));
    const ownWords = when !== undefined && when !== usualMeaning(status);
    operation.responses[status] = shared && !ownWords ? { $ref: `#/components/responses/${shared.name}` } : refusalResponse(status, codes, when);
  }
  operation.responses = Object.fromEntries(Object.entries(operation.responses).sort(([a], [b]) => a.localeCompare(b)));
}

function sameCodes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((code) => b.includes(code));
}

/**
 * `@ApiProperty({ type: X, nullable: true })` is written `{ type: 'object', nullable: true,
 * allOf: [X] }`, which validators read as an object that is X, refusing the null it allows. Without
 * the `type` it reads as meant by the common tools (openapi-response-validator, openapi-typescript,
 * Swagger UI): X, or null. (OpenAPI 3.0.3 says `nullable` counts only beside `type`; 3.0 has no
 * stricter way to say "X or null", 3.1 would say `anyOf: [X, { type: 'null' }]`.)
 */
function allowNullReferences(schema: SchemaObject): void {
  for (const property of Object.values(schema.properties ?? {}) as SchemaObject[]) {
    if (property.nullable && property.allOf && property.type === 'object') delete property.type;
  }
}
