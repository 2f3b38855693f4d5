import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type OperationObject, type ResponseObject, type SchemaObject } from '@nestjs/swagger';
import { ERROR_BODY_SCHEMA, FIELD_PROBLEM_SCHEMA, errorSchema, refusalDescription, retryHeader, type RefusalStatus } from './refusals.js';

/** Marks an operation that a token issued after a password reset may call (auth.guard.ts AllowedBeforePasswordChange). */
export const BEFORE_PASSWORD_CHANGE_EXTENSION = 'x-allowed-before-password-change';

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
    schemas: { ...document.components?.schemas, FieldProblem: FIELD_PROBLEM_SCHEMA, ErrorBody: ERROR_BODY_SCHEMA },
    responses: Object.fromEntries(SHARED_REFUSALS.map(({ name, status, codes }) => [name, refusalResponse(status, codes)])),
  };
  for (const schema of Object.values(document.components.schemas!)) allowNullReferences(schema as SchemaObject);
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) addCommonRefusals(operation);
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

function refusalResponse(status: RefusalStatus, codes: readonly string[]): ResponseObject {
  return { description: refusalDescription(status, codes), ...retryHeader(status), content: { 'application/json': { schema: errorSchema(status, codes) } } };
}

/** What any route of the API may answer besides its own refusals, by what it takes and who may call it. */
function addCommonRefusals(operation: OperationObject): void {
  const codes = new Map<RefusalStatus, string[]>();
  for (const [key, response] of Object.entries(operation.responses)) {
    const status = Number(key);
    if (status < 400) continue;
    const narrowing = ((response as ResponseObject).content?.['application/json']?.schema as SchemaObject | undefined)?.allOf?.[1] as SchemaObject | undefined;
    codes.set(status as RefusalStatus, [...(((narrowing?.properties?.code as SchemaObject | undefined)?.enum ?? []) as string[])]);
  }
  const refuse = (status: RefusalStatus, more: readonly string[]) => {
    const known = codes.get(status) ?? [];
    codes.set(status, [...known, ...more.filter((code) => !known.includes(code))]);
  };
  refuse(503, ['unavailable']);
  if (operation.security?.length) {
    refuse(401, ['invalid_token', 'session_revoked']);
    if (!(operation as unknown as Record<string, unknown>)[BEFORE_PASSWORD_CHANGE_EXTENSION]) refuse(403, ['password_change_required']);
  }
  const takesJson = operation.requestBody && 'content' in operation.requestBody && operation.requestBody.content['application/json'];
  if (takesJson) {
    refuse(400, ['malformed_json']);
    refuse(413, []);
    refuse(415, []);
  } else if (operation.parameters?.some((parameter: object) => 'in' in parameter && parameter.in === 'query')) {
    refuse(400, []);
  }
  for (const [status, all] of codes) {
    const shared = SHARED_REFUSALS.find((refusal) => refusal.status === status && sameCodes(refusal.codes, all));
    operation.responses[status] = shared ? { $ref: `#/components/responses/${shared.name}` } : refusalResponse(status, all);
  }
  operation.responses = Object.fromEntries(Object.entries(operation.responses).sort(([a], [b]) => a.localeCompare(b)));
}

function sameCodes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((code) => b.includes(code));
}

/**
 * `@ApiProperty({ type: X, nullable: true })` is written `{ type: 'object', nullable: true,
 * allOf: [X] }`, which validators read as an object that is X, refusing the null it allows. Without
 * the `type` it reads as meant: X, or null.
 */
function allowNullReferences(schema: SchemaObject): void {
  for (const property of Object.values(schema.properties ?? {}) as SchemaObject[]) {
    if (property.nullable && property.allOf && property.type === 'object') delete property.type;
  }
}
