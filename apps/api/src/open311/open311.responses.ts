import { ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath, type SchemaObject } from '@nestjs/swagger';
import type { Type } from '@nestjs/common';
import { CASE_KINDS, TEXT_LIMITS, type CaseKind } from '#domain';
import type { Open311Created, Open311KeyEntry, Open311Service, Open311ServiceDefinition, Open311ServiceRequest } from '#public-channel';
import { ACCESS_CODE_PATTERN, OPEN311_COMMON_PARAMETERS, OPEN311_DESCRIPTION_MAX, OPEN311_KEY_PATTERN, OPEN311_MAX_RESULTS } from '#public-channel';
import { SHA256_HEX } from '../openapi/properties.js';

/**
 * What the Open311 GeoReport v2 routes answer (http://wiki.open311.org/GeoReport_v2), in the
 * specification's field names, and the api_keys an admin makes for Open311 clients. The XML
 * twin of each JSON answer is described in words (see open311-format.ts): the same fields, each
 * list a wrapper element holding one element per item.
 */

type Open311Attribute = Open311ServiceDefinition['attributes'][number];
type Open311AttributeValue = NonNullable<Open311Attribute['values']>[number];

const W3C_DATETIME = { format: 'date-time', description: 'a W3C datetime in UTC, whole seconds' } as const;
const SERVICE_CODE = { enum: CASE_KINDS, description: 'the kind of case: one of the kinds open to the public', example: 'risk' } as const;
const SERVICE_REQUEST_ID = { description: 'the case number', example: 'MY-2026-000123' } as const;

// ---- api keys (`/api/v1/open311/keys`) ----

@ApiSchema({ name: 'Open311Key', description: 'an api_key as listed: never the key itself' })
export class Open311KeyDto implements Open311KeyEntry {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'the client app the key is for', example: '城市服务小程序' }) name!: string;
  @ApiProperty({ format: 'uuid', description: 'the admin who made it' }) createdBy!: string;
  @ApiProperty({ format: 'date-time', example: '2026-12-04T09:30:00.000Z' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'when it was revoked; null while it files', example: null }) revokedAt!: string | null;
}

@ApiSchema({ name: 'Open311KeyCreated', description: 'a new api_key: the key is in this answer only (only its SHA-256 is kept)' })
export class Open311KeyCreatedDto {
  @ApiProperty({ format: 'uuid', description: 'the key’s id, to revoke it with' }) id!: string;
  @ApiProperty({ description: 'the client app the key is for', example: '城市服务小程序' }) name!: string;
  @ApiProperty({ pattern: OPEN311_KEY_PATTERN, description: 'give it to the client app: it posts it as the form field api_key', example: 'o311_Qm9vdHN0cmFwcGVkS2V5Rm9yVGhlQ2l0eVNlcnZpY2U' })
  apiKey!: string;
  @ApiProperty({ format: 'date-time', example: '2026-12-04T09:30:00.000Z' }) createdAt!: string;
}

// ---- GeoReport v2 ----

@ApiSchema({ name: 'Open311Endpoint', description: 'one endpoint of the discovery document' })
export class Open311EndpointDto {
  @ApiProperty({ example: 'http://wiki.open311.org/GeoReport_v2' }) specification!: string;
  @ApiProperty({ description: 'the base URL of this endpoint, as the request reached it', example: 'https://minyi.example.cn/open311/v2' }) url!: string;
  @ApiProperty({ format: 'date-time', example: '2026-12-04T00:00:00Z' }) changeset!: string;
  @ApiProperty({ enum: ['production'] }) type!: 'production';
  @ApiProperty({ type: [String], example: ['text/xml', 'application/json'] }) formats!: string[];
}

@ApiSchema({ name: 'Open311Discovery', description: 'service discovery: this endpoint, its specification and formats (XML root `discovery`)' })
export class Open311DiscoveryDto {
  @ApiProperty({ format: 'date-time', description: 'when the discovery document or the service definitions last changed in their shape', example: '2026-12-04T00:00:00Z' })
  changeset!: string;
  @ApiProperty({ example: '请联系本平台管理员' }) contact!: string;
  @ApiProperty({ description: 'how a client gets an api_key', example: '提交服务请求所需的 api_key 由本平台管理员创建（POST /api/v1/open311/keys）' }) key_service!: string;
  @ApiProperty({ type: [Open311EndpointDto] }) endpoints!: Open311EndpointDto[];
}

@ApiSchema({ name: 'Open311Service', description: 'a service: a kind of case open to the public (XML: `<services><service>…`)' })
export class Open311ServiceDto implements Open311Service {
  @ApiProperty(SERVICE_CODE) service_code!: CaseKind;
  @ApiProperty({ description: 'the kind’s Chinese name', example: '问题隐患' }) service_name!: string;
  @ApiProperty({ example: '报告安全隐患、设施损坏、环境卫生等问题' }) description!: string;
  @ApiProperty({ description: 'always true: GET services/{service_code} lists the attributes a filing needs' }) metadata!: boolean;
  @ApiProperty({ enum: ['realtime'], description: 'realtime: POST requests answers the case number at once' }) type!: 'realtime';
  @ApiProperty({ description: 'comma-separated', example: '隐患,安全,设施,环境' }) keywords!: string;
  @ApiProperty({ example: '问题隐患' }) group!: string;
}

@ApiSchema({ name: 'Open311AttributeValue', description: 'one value a singlevaluelist attribute takes' })
export class Open311AttributeValueDto implements Open311AttributeValue {
  @ApiProperty({ description: 'what to send', example: 'hd-dg-1' }) key!: string;
  @ApiProperty({ description: 'what to show', example: '示范市 / 河东区 / 东关街道 / 东关社区' }) name!: string;
}

@ApiSchema({ name: 'Open311Attribute', description: 'a field a filing of this service takes, posted as attribute[code]' })
export class Open311AttributeDto implements Open311Attribute {
  @ApiProperty({ description: 'always true: the client asks the resident for it' }) variable!: boolean;
  @ApiProperty({ enum: ['unit', 'anonymous', 'title'], example: 'unit' }) code!: string;
  @ApiProperty({ enum: ['string', 'singlevaluelist'], example: 'singlevaluelist' }) datatype!: 'string' | 'singlevaluelist';
  @ApiProperty({ example: true }) required!: boolean;
  @ApiProperty({ nullable: true, type: String, example: null }) datatype_description!: string | null;
  @ApiProperty({ type: 'integer', description: 'the order to ask in', example: 1 }) order!: number;
  @ApiProperty({ example: '反映事项所在的社区或网格' }) description!: string;
  @ApiPropertyOptional({ type: [Open311AttributeValueDto], description: 'for a singlevaluelist: the values it takes' }) values?: Open311AttributeValueDto[];
}

@ApiSchema({ name: 'Open311ServiceDefinition', description: 'the attributes a filing of a service takes (XML root `service_definition`)' })
export class Open311ServiceDefinitionDto implements Open311ServiceDefinition {
  @ApiProperty(SERVICE_CODE) service_code!: CaseKind;
  @ApiProperty({ type: [Open311AttributeDto] }) attributes!: Open311AttributeDto[];
}

@ApiSchema({
  name: 'Open311Request',
  description: 'a service request: a case a resident filed, without personal data, address or coordinates (XML: `<service_requests><request>…`)',
})
export class Open311RequestDto implements Open311ServiceRequest {
  @ApiProperty(SERVICE_REQUEST_ID) service_request_id!: string;
  @ApiProperty({ enum: ['open', 'closed'], description: 'closed once the case is closed, rejected, withdrawn or merged' }) status!: 'open' | 'closed';
  @ApiProperty({ type: String, nullable: true, description: 'the latest public step, in Chinese', example: '已受理，正在协调办理' }) status_notes!: string | null;
  @ApiProperty({ example: '建言献策' }) service_name!: string;
  @ApiProperty(SERVICE_CODE) service_code!: CaseKind;
  @ApiProperty({ type: String, nullable: true, description: 'always null: a resident’s own words are not published', example: null }) description!: null;
  @ApiProperty({ type: String, nullable: true, description: 'the name of the unit that holds the case now', example: '东关社区' }) agency_responsible!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'always null here', example: null }) service_notice!: string | null;
  @ApiProperty({ ...W3C_DATETIME, example: '2026-12-04T09:30:00Z' }) requested_datetime!: string;
  @ApiProperty({ ...W3C_DATETIME, example: '2026-12-05T10:12:45Z' }) updated_datetime!: string;
  @ApiProperty({ type: String, ...W3C_DATETIME, nullable: true, description: 'the running resolve deadline, else the running accept deadline; null when no clock runs', example: '2026-12-18T10:00:00Z' })
  expected_datetime!: string | null;
}

@ApiSchema({ name: 'Open311Token', description: 'the case a filing receipt hash belongs to (XML: `<service_requests><request>…`)' })
export class Open311TokenDto {
  @ApiProperty(SERVICE_REQUEST_ID) service_request_id!: string;
  @ApiProperty({ ...SHA256_HEX, description: 'the receipt hash asked about', example: '9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8' }) token!: string;
}

@ApiSchema({ name: 'Open311ExtendedAttributes', description: 'with extensions=true' })
export class Open311ExtendedAttributesDto {
  @ApiProperty({ pattern: ACCESS_CODE_PATTERN, description: 'the access code the resident follows and rates the case with (GET /api/v1/public/cases/{number})', example: 'K7QM4XPR9TWD' })
  access_code!: string;
}

@ApiSchema({ name: 'Open311Created', description: 'a service request filed (XML: `<service_requests><request>…`)' })
export class Open311CreatedDto implements Open311Created {
  @ApiProperty(SERVICE_REQUEST_ID) service_request_id!: string;
  @ApiProperty({ example: '已提交至东关社区，可凭编号 MY-2026-000123 查询办理进度' }) service_notice!: string;
  @ApiProperty({ type: String, nullable: true, description: 'always null: residents have no accounts here', example: null }) account_id!: null;
  @ApiPropertyOptional({ type: Open311ExtendedAttributesDto, description: 'only when the form asked with extensions=true' }) extended_attributes?: Open311ExtendedAttributesDto;
}

@ApiSchema({ name: 'Open311Error', description: 'one error of the specification’s list (XML: `<errors><error>…`)' })
export class Open311ErrorDto {
  @ApiProperty({ type: 'integer', description: 'the HTTP status', example: 400 }) code!: number;
  @ApiProperty({ description: 'what is wrong: a field’s errors name it first (`phone: must be a phone number`)', example: 'phone: must be a phone number (digits, spaces, dashes, an optional leading +)' })
  description!: string;
}

/** Every model above that the routes name only by reference (ApiExtraModels). */
export const OPEN311_MODELS = [Open311DiscoveryDto, Open311ServiceDto, Open311ServiceDefinitionDto, Open311RequestDto, Open311TokenDto, Open311CreatedDto, Open311ErrorDto];

/** A list of `model`, as a JSON answer holds it. */
export function listOf(model: Type<unknown>, description?: string): SchemaObject {
  return { type: 'array', items: { $ref: getSchemaPath(model) }, ...(description ? { description } : {}) };
}

/** The specification's error list of one status: each entry's `code` is that status. */
export function open311ErrorsSchema(status: number): SchemaObject {
  return {
    type: 'array',
    minItems: 1,
    description: 'one entry per wrong field, else one',
    items: { allOf: [{ $ref: getSchemaPath(Open311ErrorDto) }, { type: 'object', properties: { code: { type: 'integer', enum: [status] } } }] },
  };
}

/** The query parameters every route takes and ignores: one jurisdiction, and reading needs no key. */
export const OPEN311_COMMON_QUERY = OPEN311_COMMON_PARAMETERS.map((name) => ({
  name,
  required: false,
  type: String,
  description: name === 'api_key' ? 'taken and ignored: reading needs no key (filing takes it in the form, never in the URL)' : 'taken and ignored: there is one jurisdiction',
}));

/** GET requests' filters (a list may be comma-separated or repeated). */
export const OPEN311_REQUESTS_QUERY = [
  { name: 'service_request_id', required: false, type: String, description: `case numbers, comma-separated (at most ${OPEN311_MAX_RESULTS}): when given, every other filter is ignored`, example: 'MY-2026-000123,MY-2026-000124' },
  { name: 'service_code', required: false, type: String, description: 'service codes, comma-separated (GET services lists them)', example: 'risk,hardship' },
  { name: 'status', required: false, type: String, description: 'open, closed, or both comma-separated', example: 'open' },
  { name: 'start_date', required: false, type: String, description: 'filed at or after this W3C datetime with a time zone (default: 90 days before end_date)', example: '2026-11-01T00:00:00Z' },
  { name: 'end_date', required: false, type: String, description: 'filed at or before this W3C datetime with a time zone (default: now, or 90 days after start_date); the range spans at most 90 days', example: '2026-12-01T00:00:00Z' },
];

/** POST requests' form (application/x-www-form-urlencoded, UTF-8, at most 64 KB; or JSON with the attributes nested). */
export const OPEN311_FORM_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['api_key', 'service_code', 'description'],
  description:
    'the specification’s form fields, each at most once. A JSON body may nest the attributes instead: `{ "attribute": { "unit": "hd-dg-1" } }`. jurisdiction_id, device_id, account_id, media_url and address_id are checked and not kept; the e-mail is checked and not kept',
  properties: {
    api_key: { type: 'string', description: 'the key an admin made (POST /api/v1/open311/keys)', example: 'o311_Qm9vdHN0cmFwcGVkS2V5Rm9yVGhlQ2l0eVNlcnZpY2U' },
    service_code: { type: 'string', enum: [...CASE_KINDS], description: 'a service of GET services (another code: 404)', example: 'risk' },
    description: { type: 'string', maxLength: OPEN311_DESCRIPTION_MAX, description: 'required: what happened, what is asked', example: '北门台阶破损，雨天容易滑倒。请尽快修补。' },
    'attribute[unit]': { type: 'string', description: 'required: the community or grid to file to, a value of the unit attribute (GET services/{service_code})', example: 'hd-dg-1' },
    'attribute[anonymous]': { type: 'string', enum: ['true', 'false'], description: 'true: only the filing unit sees the name and phone (default false)' },
    'attribute[title]': { type: 'string', maxLength: TEXT_LIMITS.title, description: 'the title (default: the description’s first sentence, at most 40 characters)', example: '北门台阶破损' },
    lat: { type: 'string', description: 'WGS84 latitude, with long', example: '36.12' },
    long: { type: 'string', description: 'WGS84 longitude, with lat', example: '117.21' },
    address_string: { type: 'string', example: '东关街道幸福小区北门' },
    first_name: { type: 'string', example: '建国' },
    last_name: { type: 'string', example: '刘' },
    phone: { type: 'string', maxLength: 20, example: '13587654321' },
    email: { type: 'string', example: 'liu@example.com' },
    extensions: { type: 'string', enum: ['true', 'false'], description: 'true: the answer adds extended_attributes.access_code' },
    jurisdiction_id: { type: 'string' },
    device_id: { type: 'string' },
    account_id: { type: 'string' },
    media_url: { type: 'string' },
    address_id: { type: 'string' },
    attribute: {
      type: 'object',
      description: 'JSON bodies only: the attributes nested',
      properties: { unit: { type: 'string', example: 'hd-dg-1' }, anonymous: { type: 'string', enum: ['true', 'false'] }, title: { type: 'string', maxLength: TEXT_LIMITS.title } },
    },
  },
};
