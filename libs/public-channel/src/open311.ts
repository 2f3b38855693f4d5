import type { Pool } from 'pg';
import {
  CASE_STATUSES,
  PHONE_PATTERN,
  TEXT_LIMITS,
  labelsFor,
  type CaseClocks,
  type CaseKind,
  type CaseLocation,
  type CaseStatus,
  type OrgTree,
} from '#domain';
import type { Now } from '#runtime';
import type { PublicChannel, PublicFilingInput, PublicRequest, PublicUnitEntry } from './public-channel.js';
import type { PublicLimits } from './public-limits.js';
import { publicDueAt, publicStep, publicUnitOf, type PublicUnit } from './public-narrative.js';
import type { Open311Client } from './open311-keys.js';

/**
 * Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the resident's channel:
 * services are the kinds open to the public, service requests the cases residents filed
 * themselves. What GET answers is public to anyone, so it carries none of the resident's words
 * (a title or description may name people, an address or a phone: `description` is null) and no
 * address, coordinate, name, phone, e-mail, note or media URL.
 */

/** One entry of GET services. */
export interface Open311Service {
  readonly service_code: string;
  readonly service_name: string;
  readonly description: string;
  readonly metadata: boolean;
  readonly type: 'realtime';
  readonly keywords: string;
  readonly group: string;
}

export interface Open311AttributeValue {
  readonly key: string;
  readonly name: string;
}

export interface Open311Attribute {
  readonly variable: boolean;
  readonly code: string;
  readonly datatype: 'string' | 'singlevaluelist';
  readonly required: boolean;
  readonly datatype_description: string | null;
  readonly order: number;
  readonly description: string;
  readonly values?: readonly Open311AttributeValue[];
}

export interface Open311ServiceDefinition {
  readonly service_code: string;
  readonly attributes: readonly Open311Attribute[];
}

/** One entry of GET requests, in the specification's order. */
export interface Open311ServiceRequest {
  readonly service_request_id: string;
  readonly status: 'open' | 'closed';
  readonly status_notes: string | null;
  readonly service_name: string;
  readonly service_code: string;
  /** Always null: the resident's own words are not published (see the file's comment). */
  readonly description: null;
  readonly agency_responsible: string | null;
  readonly service_notice: string | null;
  readonly requested_datetime: string;
  readonly updated_datetime: string;
  readonly expected_datetime: string | null;
}

/** The answer to POST requests: the case number; the receipt is not a token (the request is realtime). */
export interface Open311Created {
  readonly service_request_id: string;
  readonly service_notice: string;
  readonly account_id: null;
  /** Only with `extensions=true`: the access code the resident follows and rates the case with. */
  readonly extended_attributes?: { readonly access_code: string };
}

/** A problem with the request, as the specification's errors list it. */
export interface Open311Problem {
  readonly field: string;
  readonly message: string;
}

/** 400: what is wrong, field by field. */
export class Open311InvalidError extends Error {
  readonly code = 'invalid';
  constructor(readonly details: readonly Open311Problem[]) {
    super(`invalid request: ${[...new Set(details.map((detail) => detail.field))].join(', ')}`);
    this.name = 'Open311InvalidError';
  }
}

/** 404: no such service, request or token. */
export class Open311NotFoundError extends Error {
  readonly code = 'not_found';
  constructor(message: string) {
    super(message);
    this.name = 'Open311NotFoundError';
  }
}

/** 403: no api_key, or one that is unknown or revoked. */
export class Open311KeyError extends Error {
  readonly code = 'forbidden';
  constructor(message: string) {
    super(message);
    this.name = 'Open311KeyError';
  }
}

/** Statuses an Open311 client sees as closed: the case's work is over, whichever way. */
const CLOSED_STATUSES: readonly CaseStatus[] = ['closed', 'rejected', 'withdrawn', 'merged'];

export function open311Status(status: CaseStatus): 'open' | 'closed' {
  return CLOSED_STATUSES.includes(status) ? 'closed' : 'open';
}

const SERVICE_TEXT: Record<CaseKind, { description: string; keywords: string; group: string }> = {
  suggestion: { description: '对社区治理和公共服务提出意见建议', keywords: '建议,意见,献策,献一策', group: '意见建议' },
  grievance: { description: '反映涉及自身权益的诉求', keywords: '诉求,权益,反映', group: '诉求求助' },
  dispute: { description: '反映邻里、物业等矛盾纠纷，请求调解', keywords: '纠纷,矛盾,调解', group: '诉求求助' },
  risk: { description: '报告安全隐患、设施损坏、环境卫生等问题', keywords: '隐患,安全,设施,环境', group: '问题隐患' },
  hardship: { description: '反映生活困难，申请帮扶', keywords: '困难,帮扶,救助', group: '诉求求助' },
  visit: { description: '走访', keywords: '走访', group: '走访' },
};

export function open311Service(kind: CaseKind): Open311Service {
  const text = SERVICE_TEXT[kind];
  return { service_code: kind, service_name: labelsFor('zh-CN').kind[kind], description: text.description, metadata: true, type: 'realtime', keywords: text.keywords, group: text.group };
}

/** The attributes a filing needs beyond the specification's own fields: where to file it, and whether anonymously. */
export function open311Definition(kind: CaseKind, units: readonly PublicUnitEntry[]): Open311ServiceDefinition {
  return {
    service_code: kind,
    attributes: [
      {
        variable: true,
        code: 'unit',
        datatype: 'singlevaluelist',
        required: true,
        datatype_description: null,
        order: 1,
        description: '反映事项所在的社区或网格',
        values: units.map((unit) => ({ key: unit.id, name: unit.path.join(' / ') })),
      },
      {
        variable: true,
        code: 'anonymous',
        datatype: 'singlevaluelist',
        required: false,
        datatype_description: null,
        order: 2,
        description: '是否匿名：匿名时只有受理单位能看到姓名和电话',
        values: [
          { key: 'false', name: '不匿名' },
          { key: 'true', name: '匿名' },
        ],
      },
      {
        variable: true,
        code: 'title',
        datatype: 'string',
        required: false,
        datatype_description: `不超过 ${TITLE_MAX} 个字；不填时取描述的第一句`,
        order: 3,
        description: '标题：公开显示，请勿填写姓名、电话等个人信息',
      },
    ],
  };
}

/** The spec's limit on a description. */
export const OPEN311_DESCRIPTION_MAX = 4000;
/** A title made from the description: at most this many characters. */
const TITLE_MAX = 40;
/** Free text fields the specification defines and the engine keeps nowhere: checked, then left out. */
const IGNORED_FIELDS = ['jurisdiction_id', 'device_id', 'account_id', 'media_url', 'address_id'] as const;
const KNOWN_FIELDS = new Set<string>([
  'api_key',
  'service_code',
  'lat',
  'long',
  'address_string',
  'email',
  'first_name',
  'last_name',
  'phone',
  'description',
  'extensions',
  ...IGNORED_FIELDS,
]);
const ATTRIBUTE_CODES = new Set(['unit', 'anonymous', 'title']);
const ATTRIBUTE_FIELD = /^attribute\[([^\]]*)\](\[\])?$/;

/** The title a case gets from its description: the first sentence when short enough, else the first 40 characters. */
export function titleFrom(description: string): string {
  const text = description.replace(/\s+/g, ' ').trim();
  const sentence = text.split(/[。！？!?；;]|\.(?:\s|$)/u, 1)[0]!.trim();
  const chars = [...sentence];
  if (chars.length > 0 && chars.length <= TITLE_MAX) return sentence;
  return [...(chars.length > 0 ? sentence : text)].slice(0, TITLE_MAX).join('').trim();
}

/** `王` + `秀英` → `王秀英`; `John` + `Smith` → `John Smith`. */
export function filerName(firstName: string | undefined, lastName: string | undefined): string | undefined {
  const first = firstName?.trim() ?? '';
  const last = lastName?.trim() ?? '';
  if (!first && !last) return undefined;
  if (/\p{Script=Han}/u.test(first + last)) return `${last}${first}`;
  return [first, last].filter(Boolean).join(' ');
}

/** What POST requests asks for, read from the form fields (already flattened to `attribute[code]` names). */
export interface Open311FilingRead {
  readonly input: PublicFilingInput;
  readonly extensions: boolean;
}

/**
 * Reads a POST requests form into a public filing, or names every wrong field. `service_code`
 * must be given (400) and a public kind (404, as the specification says); the unit is
 * `attribute[unit]`, a community or grid.
 */
export function readOpen311Filing(form: Readonly<Record<string, unknown>>, kinds: readonly CaseKind[], units: readonly PublicUnitEntry[]): Open311FilingRead {
  const problems: Open311Problem[] = [];
  const fields: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  for (const [name, raw] of Object.entries(form)) {
    const attribute = ATTRIBUTE_FIELD.exec(name);
    if (!attribute && !KNOWN_FIELDS.has(name)) {
      problems.push({ field: name, message: 'unknown field' });
      continue;
    }
    if (Array.isArray(raw)) {
      problems.push({ field: name, message: 'given more than once' });
      continue;
    }
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      problems.push({ field: name, message: 'must be text' });
      continue;
    }
    const value = String(raw);
    if (attribute) {
      if (!ATTRIBUTE_CODES.has(attribute[1]!)) problems.push({ field: name, message: `unknown attribute; this service has ${[...ATTRIBUTE_CODES].join(', ')}` });
      else if (attribute[2]) problems.push({ field: name, message: 'takes one value' });
      else attributes[attribute[1]!] = value.trim();
    } else fields[name] = value;
  }
  const blank = (value: string | undefined) => value === undefined || value.trim() === '';
  const text = (field: string, max: number): string | undefined => {
    const value = fields[field];
    if (blank(value)) return undefined;
    if ([...value!].length > max) problems.push({ field, message: `must be at most ${max} characters` });
    return value!.trim();
  };

  const serviceCode = fields.service_code?.trim();
  if (!serviceCode) problems.push({ field: 'service_code', message: 'is required (GET services lists the codes)' });
  const unitId = attributes.unit;
  if (!unitId) problems.push({ field: 'attribute[unit]', message: 'is required: a community or grid of GET services/{service_code}' });
  else if (!units.some((unit) => unit.id === unitId)) problems.push({ field: 'attribute[unit]', message: `${unitId} is not a community or grid residents may file to` });
  const anonymous = attributes.anonymous ?? 'false';
  if (anonymous !== 'true' && anonymous !== 'false' && anonymous !== '') problems.push({ field: 'attribute[anonymous]', message: 'must be true or false' });

  const description = text('description', OPEN311_DESCRIPTION_MAX);
  if (!description) problems.push({ field: 'description', message: 'is required: what happened, what is asked' });
  let title = attributes.title || undefined;
  if (title && [...title].length > TEXT_LIMITS.title) problems.push({ field: 'attribute[title]', message: `must be at most ${TEXT_LIMITS.title} characters` });
  title ??= description ? titleFrom(description) : undefined;

  const name = filerName(text('first_name', TEXT_LIMITS.personName), text('last_name', TEXT_LIMITS.personName));
  if (name && [...name].length > TEXT_LIMITS.personName) problems.push({ field: 'last_name', message: `first_name and last_name together must be at most ${TEXT_LIMITS.personName} characters` });
  const phone = text('phone', 20);
  if (phone && !PHONE_PATTERN.test(phone)) problems.push({ field: 'phone', message: 'must be a phone number (digits, spaces, dashes, an optional leading +)' });
  const email = text('email', 254);
  if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) problems.push({ field: 'email', message: 'must be an e-mail address' });
  for (const field of IGNORED_FIELDS) text(field, 1000);

  const location = readLocation(fields, problems, text);
  const extensions = fields.extensions?.trim() ?? '';
  if (extensions !== '' && extensions !== 'true' && extensions !== 'false') problems.push({ field: 'extensions', message: 'must be true or false' });

  if (problems.length > 0) throw new Open311InvalidError(problems);
  if (!kinds.includes(serviceCode as CaseKind)) throw new Open311NotFoundError(`no service ${serviceCode}: GET services lists the codes`);
  return {
    input: {
      kind: serviceCode as CaseKind,
      title: title!,
      description: description!,
      unitId: unitId!,
      filer: { ...(name ? { name } : {}), ...(phone ? { phone } : {}), anonymous: anonymous === 'true' },
      ...(location ? { location } : {}),
    },
    extensions: extensions === 'true',
  };
}

function readLocation(fields: Record<string, string>, problems: Open311Problem[], text: (field: string, max: number) => string | undefined): CaseLocation | undefined {
  const coordinate = (field: 'lat' | 'long', limit: number): number | undefined => {
    const value = fields[field]?.trim();
    if (!value) return undefined;
    const number = Number(value);
    if (!/^[+-]?\d+(\.\d+)?$/.test(value) || !Number.isFinite(number) || Math.abs(number) > limit) {
      problems.push({ field, message: `must be a WGS84 ${field === 'lat' ? 'latitude (-90 to 90)' : 'longitude (-180 to 180)'}` });
      return undefined;
    }
    return number;
  };
  const lat = coordinate('lat', 90);
  const lng = coordinate('long', 180);
  if ((fields.lat?.trim() ? 1 : 0) + (fields.long?.trim() ? 1 : 0) === 1) problems.push({ field: fields.lat?.trim() ? 'long' : 'lat', message: 'lat and long go together' });
  const address = text('address_string', TEXT_LIMITS.address);
  if (address === undefined && (lat === undefined || lng === undefined)) return undefined;
  // The engine's location needs words: a client that sends only coordinates gets them as the address.
  return { address: address ?? `${lat},${lng}`, ...(lat !== undefined && lng !== undefined ? { lat, lng } : {}) };
}

/** GET requests' filters, as read from the query. */
export interface Open311Query {
  readonly ids?: readonly string[];
  readonly kinds?: readonly CaseKind[];
  readonly statuses?: readonly ('open' | 'closed')[];
  readonly start: Date;
  readonly end: Date;
}

/** Every route takes these and ignores them: one jurisdiction, and reading needs no key (some clients send it anyway). */
export const OPEN311_COMMON_PARAMETERS = ['jurisdiction_id', 'api_key'] as const;
const QUERY_FIELDS = new Set<string>(['service_request_id', 'service_code', 'start_date', 'end_date', 'status', ...OPEN311_COMMON_PARAMETERS]);
const W3C_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 86_400_000;
/** The spec's default span, and the longest a query may ask for. */
const SPAN_DAYS = 90;
/** The spec's default and here the only limit on one answer. */
export const OPEN311_MAX_RESULTS = 1000;

/** Reads GET requests' query; lists (service_code, status, service_request_id) may be comma-separated or repeated. */
export function readOpen311Query(query: Readonly<Record<string, unknown>>, kinds: readonly CaseKind[], now: Date): Open311Query {
  const problems: Open311Problem[] = [];
  const list = (field: string): string[] | undefined => {
    const raw = query[field];
    if (raw === undefined || raw === '') return undefined;
    const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((value) => String(value).split(',')).map((value) => value.trim()).filter(Boolean);
    return parts.length > 0 ? [...new Set(parts)] : undefined;
  };
  for (const field of Object.keys(query)) if (!QUERY_FIELDS.has(field)) problems.push({ field, message: 'unknown parameter' });

  const ids = list('service_request_id')?.map((id) => id.toUpperCase());
  if (ids && ids.length > OPEN311_MAX_RESULTS) problems.push({ field: 'service_request_id', message: `at most ${OPEN311_MAX_RESULTS} at once` });
  const codes = list('service_code');
  for (const code of codes ?? []) if (!kinds.includes(code as CaseKind)) problems.push({ field: 'service_code', message: `no service ${code}: GET services lists the codes` });
  const statuses = list('status');
  for (const status of statuses ?? []) if (status !== 'open' && status !== 'closed') problems.push({ field: 'status', message: `must be open or closed, not ${status}` });
  const date = (field: 'start_date' | 'end_date'): Date | undefined => {
    const raw = list(field);
    if (!raw) return undefined;
    const value = raw.join(',');
    const parsed = new Date(value);
    if (raw.length > 1 || !W3C_DATETIME.test(value) || Number.isNaN(parsed.getTime())) {
      problems.push({ field, message: 'must be a W3C datetime with a time zone, e.g. 2026-01-01T00:00:00Z' });
      return undefined;
    }
    return parsed;
  };
  const startDate = date('start_date');
  const endDate = date('end_date');
  const end = endDate ?? (startDate ? new Date(startDate.getTime() + SPAN_DAYS * DAY_MS) : now);
  const start = startDate ?? new Date(end.getTime() - SPAN_DAYS * DAY_MS);
  if (start > end) problems.push({ field: 'start_date', message: 'must not be after end_date' });
  else if (end.getTime() - start.getTime() > SPAN_DAYS * DAY_MS) problems.push({ field: 'end_date', message: `the range may not span more than ${SPAN_DAYS} days` });
  if (problems.length > 0) throw new Open311InvalidError(problems);
  return { ...(ids ? { ids } : {}), ...(codes ? { kinds: codes as CaseKind[] } : {}), ...(statuses ? { statuses: statuses as ('open' | 'closed')[] } : {}), start, end };
}

/** A w3 datetime in UTC, whole seconds, as the specification's examples write them. */
export function w3cDatetime(instant: Date | string): string {
  return new Date(instant).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What GET requests reads of a case: its public filing and its `case_view` row. */
export interface Open311CaseRow {
  readonly number: string;
  readonly kind: CaseKind;
  readonly status: CaseStatus;
  readonly unitId: string;
  readonly filedAt: Date;
  readonly updatedAt: Date;
  readonly clocks: CaseClocks;
  /** The latest event the public timeline tells of. */
  readonly latestStep: { readonly type: string; readonly data: Record<string, unknown> } | null;
}

/** A case as GET requests shows it to anyone: see the file's comment for what it leaves out. */
export function open311Request(row: Open311CaseRow, unitOf: (unitId: string) => PublicUnit): Open311ServiceRequest {
  const dueAt = publicDueAt(row.clocks.clocks);
  return {
    service_request_id: row.number,
    status: open311Status(row.status),
    status_notes: row.latestStep ? publicStep('zh-CN', row.latestStep.type, row.latestStep.data, unitOf) : null,
    service_name: labelsFor('zh-CN').kind[row.kind],
    service_code: row.kind,
    description: null,
    agency_responsible: unitOf(row.unitId).name,
    service_notice: null,
    requested_datetime: w3cDatetime(row.filedAt),
    updated_datetime: w3cDatetime(row.updatedAt),
    expected_datetime: dueAt ? w3cDatetime(dueAt) : null,
  };
}

const OPEN_STATUSES_OF_CASE = CASE_STATUSES.filter((status) => open311Status(status) === 'open');
const CLOSED_STATUSES_OF_CASE = CASE_STATUSES.filter((status) => open311Status(status) === 'closed');

/** The Open311 side of the resident's channel: what the controller needs beyond HTTP. */
export class Open311 {
  constructor(
    private readonly deps: {
      readonly pool: Pool;
      readonly channel: PublicChannel;
      readonly limits: PublicLimits;
      readonly org: OrgTree;
      readonly now: Now;
    },
  ) {}

  services(): Open311Service[] {
    return this.deps.channel.kinds().map(open311Service);
  }

  definition(code: string): Open311ServiceDefinition {
    const kind = this.publicKind(code);
    return open311Definition(kind, this.deps.channel.units());
  }

  /** Files like `POST /api/v1/public/cases`, counted against the api_key's hourly limit. */
  async file(form: Readonly<Record<string, unknown>>, client: Open311Client, request: PublicRequest): Promise<{ created: Open311Created; statusCode: number; position: number }> {
    const { channel, limits, now } = this.deps;
    const { input, extensions } = readOpen311Filing(form, channel.kinds(), channel.units());
    const booking = await limits.book('open311Filing', `open311-key:${client.id}`, now());
    try {
      const answer = await channel.file(input, [], request);
      // A retry answered from the first filing is no new filing.
      if (answer.replayed) await limits.withdraw(booking);
      const { number, accessCode } = answer.body;
      const unit = this.unitOf(input.unitId);
      return {
        statusCode: answer.statusCode,
        position: answer.body.receipt.position,
        created: {
          service_request_id: number,
          service_notice: `已提交至${unit.name}，可凭编号 ${number} 查询办理进度`,
          account_id: null,
          ...(extensions ? { extended_attributes: { access_code: accessCode } } : {}),
        },
      };
    } catch (error) {
      await limits.withdraw(booking);
      throw error;
    }
  }

  async requests(query: Readonly<Record<string, unknown>>): Promise<Open311ServiceRequest[]> {
    const filter = readOpen311Query(query, this.deps.channel.kinds(), this.deps.now());
    return this.find(filter);
  }

  async request(id: string): Promise<Open311ServiceRequest[]> {
    const found = await this.find({ ids: [id.trim().toUpperCase()], start: new Date(0), end: new Date(0) });
    if (found.length === 0) throw new Open311NotFoundError(`no service request ${id}`);
    return found;
  }

  /** The case a receipt hash belongs to: the tokens resource of the specification. */
  async token(token: string): Promise<{ service_request_id: string; token: string }[]> {
    const hash = token.trim().toLowerCase();
    if (/^[0-9a-f]{64}$/.test(hash)) {
      const { rows } = await this.deps.pool.query<{ number: string }>(
        'SELECT f.number FROM public_filings f JOIN case_view v ON v.id = f.case_id WHERE f.receipt_hash = $1 AND v.kind = ANY($2)',
        [hash, this.deps.channel.kinds()],
      );
      if (rows[0]) return [{ service_request_id: rows[0].number, token: hash }];
    }
    throw new Open311NotFoundError(`no token ${token}`);
  }

  private async find(filter: Open311Query): Promise<Open311ServiceRequest[]> {
    const { pool, channel } = this.deps;
    const params: unknown[] = [channel.kinds()];
    const where = ['v.kind = ANY($1)'];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    // The specification: a list of ids overrides every other filter.
    if (filter.ids) add('f.number = ANY(?)', filter.ids);
    else {
      add('f.filed_at >= ?', filter.start);
      add('f.filed_at <= ?', filter.end);
      if (filter.kinds) add('v.kind = ANY(?)', filter.kinds);
      if (filter.statuses?.length === 1) add('v.status = ANY(?)', filter.statuses[0] === 'open' ? OPEN_STATUSES_OF_CASE : CLOSED_STATUSES_OF_CASE);
    }
    const { rows } = await pool.query<{ number: string; kind: CaseKind; status: CaseStatus; unit_id: string; filed_at: Date; updated_at: Date; clocks: CaseClocks; step_type: string; step_data: Record<string, unknown> }>(
      `SELECT f.number, v.kind, v.status, v.unit_id, f.filed_at, v.updated_at, v.clocks, f.step_type, f.step_data
         FROM public_filings f JOIN case_view v ON v.id = f.case_id
        WHERE ${where.join(' AND ')}
        ORDER BY f.filed_at DESC, f.number DESC
        LIMIT ${OPEN311_MAX_RESULTS}`,
      params,
    );
    const unitOf = (unitId: string) => this.unitOf(unitId);
    return rows.map((row) =>
      open311Request(
        { number: row.number, kind: row.kind, status: row.status, unitId: row.unit_id, filedAt: row.filed_at, updatedAt: row.updated_at, clocks: row.clocks, latestStep: { type: row.step_type, data: row.step_data } },
        unitOf,
      ),
    );
  }

  private publicKind(code: string): CaseKind {
    const kind = this.deps.channel.kinds().find((known) => known === code);
    if (!kind) throw new Open311NotFoundError(`no service ${code}: GET services lists the codes`);
    return kind;
  }

  private unitOf(unitId: string): PublicUnit {
    return publicUnitOf(this.deps.org, unitId);
  }
}
