import { ProjectionRunner } from '#projections';
import { untilFindable } from '../http/read-your-writes.js';
import { applyDecorators, Body, Controller, Get, Headers, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiHeader, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags, getSchemaPath, type ReferenceObject, type SchemaObject } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { currentRequest } from '#platform';
import { OPEN311_COMMON_PARAMETERS, OPEN311_MAX_RESULTS, Open311, PUBLIC_LIMITS, Open311InvalidError, Open311KeyError, Open311Keys, Open311NotFoundError } from '#public-channel';
import { Public } from '../auth/auth.guard.js';
import { idempotencyKeyOf } from '../http/idempotency-key.js';
import { inputProblems } from '../http/validation.js';
import { retryHeader, usualMeaning, type RefusalStatus } from '../openapi/refusals.js';
import { FORM_LIMIT_BYTES, OPEN311_PREFIX, formatOfUrl, sendOpen311, splitFormat, type Open311Format } from './open311-format.js';
import {
  OPEN311_COMMON_QUERY,
  OPEN311_FORM_SCHEMA,
  OPEN311_MODELS,
  OPEN311_REQUESTS_QUERY,
  Open311CreatedDto,
  Open311DiscoveryDto,
  Open311RequestDto,
  Open311ServiceDefinitionDto,
  Open311ServiceDto,
  Open311TokenDto,
  listOf,
  open311ErrorsSchema,
} from './open311.responses.js';

/** The specification this endpoint speaks, as discovery names it. */
const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';
/** When the discovery document or the service definitions last changed in their shape. */
const CHANGESET = '2026-12-04T00:00:00Z';

type Query = Readonly<Record<string, unknown>>;

// ---- OpenAPI: what each route answers, in the specification's formats ----

/** The media type of each format, as the answers' Content-Type names it (with `; charset=utf-8`). */
const MEDIA_TYPE: Readonly<Record<Open311Format, string>> = { json: 'application/json', xml: 'text/xml' };

/** A route's success: its status, the JSON schema, and the XML root element of its twin. */
interface Open311Success {
  readonly status: 200 | 201;
  readonly json: SchemaObject | ReferenceObject;
  readonly root: string;
  readonly description: string;
}

/** Each error status a route may answer, with when it does. */
type Open311Refusals = Partial<Readonly<Record<RefusalStatus, string>>>;

function xmlTwin(root: string): SchemaObject {
  return {
    type: 'string',
    description: `the JSON answer’s fields as XML under \`<${root}>\` (open311-format.ts): each list a wrapper element holding one element per item, a null an empty element`,
  };
}

/**
 * OpenAPI: the answers of an Open311 route in the formats its URL may ask for (`.json`, `.xml`):
 * the success, and each error as the specification's list (`[{ code, description }]`, or
 * `<errors><error>…`), never the API's own error body.
 */
function Open311Route(formats: Open311Format | readonly Open311Format[], success: Open311Success, refusals: Open311Refusals): MethodDecorator {
  const listed = typeof formats === 'string' ? [formats] : formats;
  const content = (json: SchemaObject | ReferenceObject, root: string) => Object.fromEntries(listed.map((format) => [MEDIA_TYPE[format], { schema: format === 'json' ? json : xmlTwin(root) }]));
  return applyDecorators(
    ApiResponse({ status: success.status, description: success.description, content: content(success.json, success.root) }),
    ...Object.entries(refusals).map(([key, description]) => {
      const status = Number(key) as RefusalStatus;
      return ApiResponse({ status, description: `${description} (the specification’s error list)`, ...retryHeader(status), content: content(open311ErrorsSchema(status), 'errors') });
    }),
  );
}

const UNAVAILABLE = usualMeaning(503);

/** The refusals of a route that takes only the common query parameters. */
const COMMON_ONLY: Open311Refusals = { 400: 'a query parameter other than jurisdiction_id and api_key, or text that cannot be stored' };

const REQUESTS_REFUSALS: Open311Refusals = {
  400: 'an unknown parameter, a service code that is not public, a status other than open or closed, a date that is no W3C datetime with a time zone, a range over 90 days',
  503: UNAVAILABLE,
};

const FILED: Open311Success = {
  status: 201,
  json: listOf(Open311CreatedDto, 'the one request filed, as a list (the specification’s shape)'),
  root: 'service_requests',
  description: 'filed (or, for a retried Idempotency-Key, the first filing’s answer again)',
};

const FILING_REFUSALS: Open311Refusals = {
  400: 'a wrong field of the form (one error each), an unknown parameter, a bad Idempotency-Key, or a body that cannot be read',
  403: 'no api_key in the form, or one that is unknown or revoked',
  404: 'service_code names no service open to the public',
  409: 'the Idempotency-Key was used before with a different form',
  413: `the body is larger than ${FORM_LIMIT_BYTES / 1024} KB`,
  415: 'the body is no form (application/x-www-form-urlencoded, UTF-8) or JSON',
  429: `this api_key filed ${PUBLIC_LIMITS.open311Filing.max} requests in the last hour: wait for \`Retry-After\` seconds`,
  503: UNAVAILABLE,
};

/** The query parameters every route takes and ignores. */
function ApiCommonQuery(): MethodDecorator {
  return applyDecorators(...OPEN311_COMMON_QUERY.map((parameter) => ApiQuery(parameter)));
}

/** GET requests' query: its filters, and the common parameters. */
function ApiRequestsQuery(): MethodDecorator {
  return applyDecorators(...OPEN311_REQUESTS_QUERY.map((parameter) => ApiQuery(parameter)), ApiCommonQuery());
}

/** POST requests' body and header. */
function ApiFiling(): MethodDecorator {
  return applyDecorators(
    ApiConsumes('application/x-www-form-urlencoded', 'application/json'),
    ApiBody({ schema: OPEN311_FORM_SCHEMA }),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'a retry with the same key and form returns the first answer (1-200 characters; per api_key)' }),
    ApiCommonQuery(),
  );
}

/**
 * Open311 GeoReport v2 (API.md, "The resident's channel"): services are the kinds open to the
 * public, service requests the cases residents filed. Reading needs no key and shows no personal
 * data; filing needs an api_key that an admin made. Errors come as the specification's list
 * (see ErrorFilter), in the format the URL asks for.
 */
@ApiTags('open311')
@ApiExtraModels(...OPEN311_MODELS)
@Public()
@Controller(OPEN311_PREFIX.slice(1))
export class Open311Controller {
  constructor(
    private readonly open311: Open311,
    private readonly keys: Open311Keys,
    private readonly projections: ProjectionRunner,
  ) {}

  @Get('discovery.json')
  @ApiOperation({ summary: 'Open311 service discovery: this endpoint, its specification and formats' })
  @ApiCommonQuery()
  @Open311Route('json', { status: 200, json: { $ref: getSchemaPath(Open311DiscoveryDto) }, root: 'discovery', description: 'the discovery document' }, COMMON_ONLY)
  discoveryJson(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.discovery(request, reply);
  }

  @Get('discovery.xml')
  @ApiOperation({ summary: 'Open311 service discovery in XML' })
  @ApiCommonQuery()
  @Open311Route('xml', { status: 200, json: { $ref: getSchemaPath(Open311DiscoveryDto) }, root: 'discovery', description: 'the discovery document' }, COMMON_ONLY)
  discoveryXml(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.discovery(request, reply);
  }

  @Get('services.json')
  @ApiOperation({ summary: 'Open311 service list: the kinds of case open to the public' })
  @ApiCommonQuery()
  @Open311Route('json', { status: 200, json: listOf(Open311ServiceDto), root: 'services', description: 'the services' }, COMMON_ONLY)
  servicesJson(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.services(request, reply);
  }

  @Get('services.xml')
  @ApiOperation({ summary: 'Open311 service list in XML' })
  @ApiCommonQuery()
  @Open311Route('xml', { status: 200, json: listOf(Open311ServiceDto), root: 'services', description: 'the services' }, COMMON_ONLY)
  servicesXml(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.services(request, reply);
  }

  @Get('services/:resource')
  @ApiOperation({ summary: 'Open311 service definition: the attributes a filing needs (the unit, anonymity, a title)' })
  @ApiParam({ name: 'resource', description: 'the service code and the format: `{service_code}.json` or `{service_code}.xml`', example: 'risk.json' })
  @ApiCommonQuery()
  @Open311Route(
    ['json', 'xml'],
    { status: 200, json: { $ref: getSchemaPath(Open311ServiceDefinitionDto) }, root: 'service_definition', description: 'the service’s definition' },
    { ...COMMON_ONLY, 404: 'no such service open to the public, or no .json or .xml suffix' },
  )
  definition(@Param('resource') resource: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return answerFor(resource, request, reply, 'service_definition', (code) => this.open311.definition(code));
  }

  @Get('requests.json')
  @ApiOperation({ summary: 'Open311 service requests: cases residents filed, newest first, at most 1000, without personal data' })
  @ApiRequestsQuery()
  @Open311Route('json', { status: 200, json: listOf(Open311RequestDto, `at most ${OPEN311_MAX_RESULTS}, newest first`), root: 'service_requests', description: 'the service requests' }, REQUESTS_REFUSALS)
  requestsJson(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.requests(request, reply);
  }

  @Get('requests.xml')
  @ApiOperation({ summary: 'Open311 service requests in XML' })
  @ApiRequestsQuery()
  @Open311Route('xml', { status: 200, json: listOf(Open311RequestDto, `at most ${OPEN311_MAX_RESULTS}, newest first`), root: 'service_requests', description: 'the service requests' }, REQUESTS_REFUSALS)
  requestsXml(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.requests(request, reply);
  }

  @Get('requests/:resource')
  @ApiOperation({ summary: 'Open311 service request: one case a resident filed, by its number' })
  @ApiParam({ name: 'resource', description: 'the case number and the format: `{service_request_id}.json` or `.xml`', example: 'MY-2026-000123.json' })
  @ApiCommonQuery()
  @Open311Route(
    ['json', 'xml'],
    { status: 200, json: listOf(Open311RequestDto, 'the one request, as a list (the specification’s shape)'), root: 'service_requests', description: 'the service request' },
    { ...COMMON_ONLY, 404: 'no case a resident filed has this number, or no .json or .xml suffix', 503: UNAVAILABLE },
  )
  request(@Param('resource') resource: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return answerFor(resource, request, reply, 'service_requests', (id) => this.open311.request(id));
  }

  @Get('tokens/:resource')
  @ApiOperation({ summary: 'Open311 token: the case number of a filing receipt hash' })
  @ApiParam({ name: 'resource', description: 'the receipt hash and the format: `{token}.json` or `.xml`', example: '9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8.json' })
  @ApiCommonQuery()
  @Open311Route(
    ['json', 'xml'],
    { status: 200, json: listOf(Open311TokenDto, 'the one filing, as a list (the specification’s shape)'), root: 'service_requests', description: 'the case the receipt belongs to' },
    { ...COMMON_ONLY, 404: 'no public filing has this receipt hash, or no .json or .xml suffix', 503: UNAVAILABLE },
  )
  token(@Param('resource') resource: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return answerFor(resource, request, reply, 'service_requests', (token) => this.open311.token(token));
  }

  @Post('requests.json')
  @ApiOperation({ summary: 'Open311 POST service request: files a case like POST /api/v1/public/cases (form fields of the specification; needs api_key)' })
  @ApiFiling()
  @Open311Route('json', FILED, FILING_REFUSALS)
  fileJson(@Body() body: unknown, @Headers('idempotency-key') idempotencyHeader: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.file(body, idempotencyHeader, request, reply);
  }

  @Post('requests.xml')
  @ApiOperation({ summary: 'Open311 POST service request, answered in XML' })
  @ApiFiling()
  @Open311Route('xml', FILED, FILING_REFUSALS)
  fileXml(@Body() body: unknown, @Headers('idempotency-key') idempotencyHeader: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.file(body, idempotencyHeader, request, reply);
  }

  private discovery(request: FastifyRequest, reply: FastifyReply) {
    onlyCommon(queryOf(request));
    const url = `${request.protocol}://${request.host}${OPEN311_PREFIX}`;
    return sendOpen311(reply, formatOfUrl(request.url), 'discovery', {
      changeset: CHANGESET,
      contact: '请联系本平台管理员',
      key_service: '提交服务请求所需的 api_key 由本平台管理员创建（POST /api/v1/open311/keys）',
      endpoints: [{ specification: SPECIFICATION, url, changeset: CHANGESET, type: 'production', formats: ['text/xml', 'application/json'] }],
    });
  }

  private services(request: FastifyRequest, reply: FastifyReply) {
    onlyCommon(queryOf(request));
    return sendOpen311(reply, formatOfUrl(request.url), 'services', this.open311.services());
  }

  private async requests(request: FastifyRequest, reply: FastifyReply) {
    return sendOpen311(reply, formatOfUrl(request.url), 'service_requests', await this.open311.requests(queryOf(request)));
  }

  private async file(body: unknown, idempotencyHeader: string | undefined, request: FastifyRequest, reply: FastifyReply) {
    const format = formatOfUrl(request.url);
    const query = queryOf(request);
    const form = formOf(body);
    // Only from the body, as the specification posts it: a key in the URL would be written to the request logs.
    const apiKey = form.api_key;
    if (typeof apiKey !== 'string' || apiKey.trim() === '') throw new Open311KeyError('api_key is required in the form to create a service request');
    const client = await this.keys.verify(apiKey.trim());
    if (!client) throw new Open311KeyError("invalid api_key received -- can't proceed with create_request");
    onlyCommon(query);
    const idempotencyKey = idempotencyKeyOf(idempotencyHeader);
    const current = currentRequest();
    const { created, statusCode, position } = await this.open311.file(form, client, {
      correlationId: current?.requestId ?? randomUUID(),
      clientRequestId: current?.clientRequestId,
      idempotencyKey,
      idempotencyScope: `open311:${client.id}`,
      idempotencyBody: form,
    });
    await untilFindable(this.projections, position);
    void reply.header('Cache-Control', 'no-store');
    return sendOpen311(reply, format, 'service_requests', [created], statusCode);
  }
}

/** Answers a resource named in the path (`services/risk.json`): its name read, the query checked, the answer sent. */
async function answerFor(resource: string, request: FastifyRequest, reply: FastifyReply, root: string, answer: (name: string) => unknown): Promise<FastifyReply> {
  const { name, format } = resourceOf(resource);
  onlyCommon(queryOf(request));
  return sendOpen311(reply, format, root, await answer(name));
}

/** `MY-2026-000001.xml` → the name and the format; any other suffix is no resource of ours. */
function resourceOf(resource: string): { name: string; format: Open311Format } {
  const split = splitFormat(resource);
  if (!split) throw new Open311NotFoundError(`no resource ${resource}: add .json or .xml`);
  return split;
}

/**
 * The query string, read here rather than by the global pipe (which would refuse every name no
 * DTO declares): screened for text the database cannot store, a blank parameter read as one left
 * out, as the specification's optional arguments are.
 */
function queryOf(request: FastifyRequest): Query {
  const raw = (request.query ?? {}) as Record<string, unknown>;
  const problems = inputProblems(raw);
  if (problems.length > 0) throw new Open311InvalidError(problems);
  const query: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    const given = Array.isArray(value) ? value.filter((entry) => entry !== '') : value;
    if (given === '' || (Array.isArray(given) && given.length === 0)) continue;
    query[name] = given;
  }
  return query;
}

/** The query of a route that takes no parameters but the common ones. */
function onlyCommon(query: Query): void {
  const unknown = Object.keys(query).filter((name) => !(OPEN311_COMMON_PARAMETERS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Open311InvalidError(unknown.map((field) => ({ field, message: 'unknown parameter' })));
}

/** The form's fields; a JSON body may nest the attributes (`{ "attribute": { "unit": … } }`). */
function formOf(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new Open311InvalidError([{ field: 'body', message: 'must be a form or a JSON object' }]);
  const form: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name === 'attribute' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [code, attribute] of Object.entries(value)) form[`attribute[${code}]`] = attribute;
    } else form[name] = value;
  }
  return form;
}
