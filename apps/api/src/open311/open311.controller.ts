import { ProjectionRunner } from '#projections';
import { untilFindable } from '../http/read-your-writes.js';
import { Body, Controller, Get, Headers, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { currentRequest } from '#platform';
import { OPEN311_COMMON_PARAMETERS, Open311, Open311InvalidError, Open311KeyError, Open311Keys, Open311NotFoundError } from '#public-channel';
import { Public } from '../auth/auth.guard.js';
import { idempotencyKeyOf } from '../http/idempotency-key.js';
import { inputProblems } from '../http/validation.js';
import { OPEN311_PREFIX, formatOfUrl, sendOpen311, splitFormat, type Open311Format } from './open311-format.js';

/** The specification this endpoint speaks, as discovery names it. */
const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';
/** When the discovery document or the service definitions last changed in their shape. */
const CHANGESET = '2026-12-04T00:00:00Z';

type Query = Readonly<Record<string, unknown>>;

/**
 * Open311 GeoReport v2 (API.md, "The resident's channel"): services are the kinds open to the
 * public, service requests the cases residents filed. Reading needs no key and shows no personal
 * data; filing needs an api_key that an admin made. Errors come as the specification's list
 * (see ErrorFilter), in the format the URL asks for.
 */
@ApiTags('open311')
@Public()
@Controller(OPEN311_PREFIX.slice(1))
export class Open311Controller {
  constructor(
    private readonly open311: Open311,
    private readonly keys: Open311Keys,
    private readonly projections: ProjectionRunner,
  ) {}

  @Get(['discovery.json', 'discovery.xml'])
  @ApiOperation({ summary: 'Open311 service discovery: this endpoint, its specification and formats' })
  discovery(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    onlyCommon(queryOf(request));
    const url = `${request.protocol}://${request.host}${OPEN311_PREFIX}`;
    return sendOpen311(reply, formatOfUrl(request.url), 'discovery', {
      changeset: CHANGESET,
      contact: '请联系本平台管理员',
      key_service: '提交服务请求所需的 api_key 由本平台管理员创建（POST /api/v1/open311/keys）',
      endpoints: [{ specification: SPECIFICATION, url, changeset: CHANGESET, type: 'production', formats: ['text/xml', 'application/json'] }],
    });
  }

  @Get(['services.json', 'services.xml'])
  @ApiOperation({ summary: 'Open311 service list: the kinds of case open to the public' })
  services(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    onlyCommon(queryOf(request));
    return sendOpen311(reply, formatOfUrl(request.url), 'services', this.open311.services());
  }

  @Get('services/:resource')
  @ApiOperation({ summary: 'Open311 service definition: the attributes a filing needs (the unit, anonymity, a title)' })
  definition(@Param('resource') resource: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return answerFor(resource, request, reply, 'service_definition', (code) => this.open311.definition(code));
  }

  @Get(['requests.json', 'requests.xml'])
  @ApiOperation({ summary: 'Open311 service requests: cases residents filed, newest first, at most 1000, without personal data' })
  async requests(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return sendOpen311(reply, formatOfUrl(request.url), 'service_requests', await this.open311.requests(queryOf(request)));
  }

  @Get('requests/:resource')
  @ApiOperation({ summary: 'Open311 service request: one case a resident filed, by its number' })
  request(@Param('resource') resource: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return answerFor(resource, request, reply, 'service_requests', (id) => this.open311.request(id));
  }

  @Get('tokens/:resource')
  @ApiOperation({ summary: 'Open311 token: the case number of a filing receipt hash' })
  token(@Param('resource') resource: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return answerFor(resource, request, reply, 'service_requests', (token) => this.open311.token(token));
  }

  @Post(['requests.json', 'requests.xml'])
  @ApiOperation({ summary: 'Open311 POST service request: files a case like POST /api/v1/public/cases (form fields of the specification; needs api_key)' })
  async file(
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyHeader: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
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
