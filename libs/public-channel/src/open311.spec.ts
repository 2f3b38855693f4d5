import { describe, expect, it } from '@jest/globals';
import type { CaseClocks, CaseKind } from '#domain';
import {
  Open311InvalidError,
  Open311NotFoundError,
  filerName,
  open311Definition,
  open311Request,
  open311Service,
  open311Status,
  readOpen311Filing,
  readOpen311Query,
  titleFrom,
  w3cDatetime,
  type Open311CaseRow,
} from './open311.js';
import type { PublicUnitEntry } from './public-channel.js';

const KINDS: readonly CaseKind[] = ['suggestion', 'grievance', 'risk', 'hardship'];
const UNITS: readonly PublicUnitEntry[] = [
  { id: 'hd-dg-1', name: '东关社区', level: 'community', path: ['示范市', '河东区', '东关街道', '东关社区'] },
  { id: 'hd-dg-1-g1', name: '第一网格', level: 'grid', path: ['示范市', '河东区', '东关街道', '东关社区', '第一网格'] },
];

function problemsOf(read: () => unknown): { field: string; message: string }[] {
  try {
    read();
  } catch (error) {
    if (error instanceof Open311InvalidError) return [...error.details];
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('Open311 mapping', () => {
  it('calls closed what the case ended in any way, open the rest', () => {
    expect(['closed', 'rejected', 'withdrawn', 'merged'].map((status) => open311Status(status as never))).toEqual(['closed', 'closed', 'closed', 'closed']);
    expect(['filed', 'in_coordination', 'awaiting_annotation', 'resolved'].map((status) => open311Status(status as never))).toEqual(['open', 'open', 'open', 'open']);
  });

  it('names a service by its kind’s Chinese label, realtime and with metadata', () => {
    expect(open311Service('suggestion')).toEqual({
      service_code: 'suggestion',
      service_name: '建言献策',
      description: expect.any(String),
      metadata: true,
      type: 'realtime',
      keywords: expect.stringContaining('建议'),
      group: expect.any(String),
    });
  });

  it('defines the unit attribute as a required list of the public units by their paths', () => {
    const definition = open311Definition('risk', UNITS);
    expect(definition.service_code).toBe('risk');
    expect(definition.attributes.map((attribute) => [attribute.code, attribute.required, attribute.order])).toEqual([
      ['unit', true, 1],
      ['anonymous', false, 2],
      ['title', false, 3],
    ]);
    expect(definition.attributes[0]!.values).toEqual([
      { key: 'hd-dg-1', name: '示范市 / 河东区 / 东关街道 / 东关社区' },
      { key: 'hd-dg-1-g1', name: '示范市 / 河东区 / 东关街道 / 东关社区 / 第一网格' },
    ]);
  });

  it('makes a title of the first sentence when short, else of the first 40 characters', () => {
    expect(titleFrom('北门台阶破损。雨天容易滑倒。')).toBe('北门台阶破损');
    expect(titleFrom('  The lamp is out. Please fix it.')).toBe('The lamp is out');
    expect(titleFrom('长'.repeat(60))).toBe('长'.repeat(40));
    expect(titleFrom(`${'长'.repeat(50)}。短句。`)).toBe('长'.repeat(40));
    expect(titleFrom('无标点的描述\n第二行')).toBe('无标点的描述 第二行');
  });

  it('writes a Chinese name family name first, others given name first', () => {
    expect(filerName('建国', '刘')).toBe('刘建国');
    expect(filerName('John', 'Smith')).toBe('John Smith');
    expect(filerName(undefined, 'Smith')).toBe('Smith');
    expect(filerName(' ', undefined)).toBeUndefined();
  });

  it('writes datetimes as the specification’s examples do, in UTC to the second', () => {
    expect(w3cDatetime('2026-11-02T09:00:00.123+08:00')).toBe('2026-11-02T01:00:00Z');
  });
});

describe('reading a POST requests form', () => {
  const form = (overrides: Record<string, unknown> = {}) => ({
    api_key: 'o311_x',
    service_code: 'risk',
    description: '北门台阶破损。请修补。',
    'attribute[unit]': 'hd-dg-1',
    ...overrides,
  });

  it('maps the specification’s fields onto a public filing', () => {
    const read = readOpen311Filing(
      form({ first_name: '建国', last_name: '刘', phone: '13587654321', email: 'a@b.cn', lat: '36.1', long: '117.2', address_string: '北门', 'attribute[anonymous]': 'true', media_url: 'http://x/y.jpg', device_id: 'd' }),
      KINDS,
      UNITS,
    );
    expect(read).toEqual({
      input: {
        kind: 'risk',
        title: '北门台阶破损',
        description: '北门台阶破损。请修补。',
        unitId: 'hd-dg-1',
        filer: { name: '刘建国', phone: '13587654321', anonymous: true },
        location: { address: '北门', lat: 36.1, lng: 117.2 },
      },
      extensions: false,
    });
  });

  it('files without a name, phone or place, and takes coordinates alone as the address', () => {
    expect(readOpen311Filing(form(), KINDS, UNITS).input).toEqual({ kind: 'risk', title: '北门台阶破损', description: '北门台阶破损。请修补。', unitId: 'hd-dg-1', filer: { anonymous: false } });
    expect(readOpen311Filing(form({ lat: '36', long: '-117.5' }), KINDS, UNITS).input.location).toEqual({ address: '36,-117.5', lat: 36, lng: -117.5 });
    expect(readOpen311Filing(form({ 'attribute[title]': '台阶', extensions: 'true' }), KINDS, UNITS)).toMatchObject({ input: { title: '台阶' }, extensions: true });
  });

  it('names every wrong field at once', () => {
    expect(problemsOf(() => readOpen311Filing({ api_key: 'x', color: 'red', 'attribute[size]': 'big', phone: ['1', '2'] }, KINDS, UNITS)).map((problem) => problem.field)).toEqual([
      'color',
      'attribute[size]',
      'phone',
      'service_code',
      'attribute[unit]',
      'description',
    ]);
    expect(problemsOf(() => readOpen311Filing(form({ 'attribute[unit]': 'hd-dg', lat: '100', phone: 'x' }), KINDS, UNITS)).map((problem) => problem.field)).toEqual([
      'attribute[unit]',
      'phone',
      'lat',
      'long',
    ]);
  });

  it('answers not found for a service that is not public, once the form is otherwise right', () => {
    expect(() => readOpen311Filing(form({ service_code: 'visit' }), KINDS, UNITS)).toThrow(Open311NotFoundError);
  });
});

describe('reading a GET requests query', () => {
  const now = new Date('2026-11-02T00:00:00Z');

  it('defaults to the last 90 days', () => {
    expect(readOpen311Query({}, KINDS, now)).toEqual({ start: new Date('2026-08-04T00:00:00Z'), end: now });
    expect(readOpen311Query({ start_date: '2026-10-01T00:00:00+08:00' }, KINDS, now)).toEqual({ start: new Date('2026-09-30T16:00:00Z'), end: new Date('2026-12-29T16:00:00Z') });
  });

  it('reads lists comma-separated or repeated, ids in upper case', () => {
    expect(readOpen311Query({ service_request_id: 'my-2026-000001,MY-2026-000002', service_code: ['risk', 'hardship'], status: 'open,closed' }, KINDS, now)).toMatchObject({
      ids: ['MY-2026-000001', 'MY-2026-000002'],
      kinds: ['risk', 'hardship'],
      statuses: ['open', 'closed'],
    });
  });

  it('refuses unknown parameters, codes and statuses, dates without a zone, and spans over 90 days', () => {
    expect(
      problemsOf(() => readOpen311Query({ page: '2', service_code: 'visit', status: 'done', start_date: '2026-01-01', end_date: '2026-01-02T00:00:00Z' }, KINDS, now)).map((problem) => problem.field),
    ).toEqual(['page', 'service_code', 'status', 'start_date']);
    expect(problemsOf(() => readOpen311Query({ start_date: '2026-01-01T00:00:00Z', end_date: '2026-05-01T00:00:00Z' }, KINDS, now))).toEqual([
      { field: 'end_date', message: 'the range may not span more than 90 days' },
    ]);
  });
});

describe('a case as GET requests shows it', () => {
  const clocks = (states: [string, string, string][]): CaseClocks =>
    ({ kind: 'risk', revision: 3, clocks: states.map(([clock, state, dueAt], index) => ({ clock, state, dueAt, startedAtRevision: index, warnAt: dueAt })) }) as unknown as CaseClocks;
  const row = (overrides: Partial<Open311CaseRow> = {}): Open311CaseRow => ({
    number: 'MY-2026-000001',
    kind: 'risk',
    status: 'in_coordination',
    unitId: 'hd-dg-1',
    filedAt: new Date('2026-11-02T01:00:00.500Z'),
    updatedAt: new Date('2026-11-03T01:00:00Z'),
    clocks: clocks([
      ['accept', 'stopped', '2026-11-03T01:00:00Z'],
      ['resolve', 'running', '2026-11-20T01:00:00Z'],
    ]),
    latestStep: { type: 'CaseAccepted', data: {} },
    ...overrides,
  });
  const unitOf = (unitId: string) => ({ name: unitId === 'hd-dg-1' ? '东关社区' : unitId, level: 'community' as const });

  it('gives none of the resident’s words: the public words of the latest step, the unit and the running deadline', () => {
    expect(open311Request(row(), unitOf)).toEqual({
      service_request_id: 'MY-2026-000001',
      status: 'open',
      status_notes: '已受理，正在协调办理',
      service_name: '问题隐患',
      service_code: 'risk',
      description: null,
      agency_responsible: '东关社区',
      service_notice: null,
      requested_datetime: '2026-11-02T01:00:00Z',
      updated_datetime: '2026-11-03T01:00:00Z',
      expected_datetime: '2026-11-20T01:00:00Z',
    });
  });

  it('falls back to the accept deadline, and has none once no clock runs', () => {
    expect(open311Request(row({ clocks: clocks([['accept', 'warned', '2026-11-03T01:00:00Z']]) }), unitOf).expected_datetime).toBe('2026-11-03T01:00:00Z');
    expect(open311Request(row({ status: 'rejected', clocks: clocks([['accept', 'stopped', '2026-11-03T01:00:00Z']]), latestStep: null }), unitOf)).toMatchObject({
      status: 'closed',
      status_notes: null,
      expected_datetime: null,
    });
  });
});
