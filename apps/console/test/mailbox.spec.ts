import { describe, expect, it } from '@jest/globals';
import type { PublicUnit } from '../src/api/types.js';
import { retryAfterSeconds } from '../src/api/retry-after.js';
import {
  EMPTY_MAILBOX_DRAFT,
  MAX_FILE_BYTES,
  checkMailbox,
  choicesBelow,
  fileProblem,
  fileSize,
  fileType,
  mailboxBody,
  retryAt,
  searchUnits,
  trackingLink,
  unitAtPath,
  unitChain,
  unitTrail,
  waitMinutes,
} from '../src/forms/mailbox.js';
import { CATALOGUES } from '../src/i18n/messages.js';

/** The demo tree's communities and grids, as `GET /api/v1/public/units` lists them. */
const UNITS: readonly PublicUnit[] = [
  { id: 'hd-dg-1', name: '东关社区', level: 'community', path: ['示范市', '河东区', '东关街道'] },
  { id: 'hd-dg-1-g1', name: '东关社区第一网格', level: 'grid', path: ['示范市', '河东区', '东关街道', '东关社区'] },
  { id: 'hd-dg-1-g2', name: '东关社区第二网格', level: 'grid', path: ['示范市', '河东区', '东关街道', '东关社区'] },
  { id: 'hd-ll-1', name: '柳林村', level: 'community', path: ['示范市', '河东区', '柳林镇'] },
  { id: 'hx-xh-1', name: '湖滨社区', level: 'community', path: ['示范市', '河西区', '西湖街道'] },
  { id: 'hx-xh-1-g1', name: '湖滨社区第一网格', level: 'grid', path: ['示范市', '河西区', '西湖街道', '湖滨社区'] },
  { id: 'hx-ty-1', name: '桃园村', level: 'community', path: ['示范市', '河西区', '桃园镇'] },
];

const ids = (units: readonly PublicUnit[]) => units.map((unit) => unit.id);

describe('finding a unit by name', () => {
  it('matches the unit or any name above it, every word, with the unit’s own name first and communities before grids', () => {
    expect(ids(searchUnits(UNITS, '东关'))).toEqual(['hd-dg-1', 'hd-dg-1-g1', 'hd-dg-1-g2']);
    expect(ids(searchUnits(UNITS, '河西'))).toEqual(['hx-xh-1', 'hx-ty-1', 'hx-xh-1-g1']);
    expect(ids(searchUnits(UNITS, '河西 网格'))).toEqual(['hx-xh-1-g1']);
    expect(ids(searchUnits(UNITS, '桃园村'))).toEqual(['hx-ty-1']);
    expect(ids(searchUnits(UNITS, '第二'))).toEqual(['hd-dg-1-g2']);
  });

  it('finds nothing for blank text or a name not in the tree, and stops at the limit', () => {
    expect(searchUnits(UNITS, '   ')).toEqual([]);
    expect(searchUnits(UNITS, '北京')).toEqual([]);
    expect(searchUnits(UNITS, '示范市', 2)).toHaveLength(2);
  });

  it('reads a unit’s chain whether or not its path already ends with its own name', () => {
    expect(unitChain(UNITS[0]!)).toEqual(['示范市', '河东区', '东关街道', '东关社区']);
    expect(unitChain({ ...UNITS[0]!, path: ['示范市', '河东区', '东关街道', '东关社区'] })).toEqual(['示范市', '河东区', '东关街道', '东关社区']);
    expect(unitTrail(UNITS[1]!)).toBe('河东区 › 东关街道 › 东关社区 › 东关社区第一网格');
  });
});

describe('choosing a unit level by level', () => {
  it('offers the names one level down, in order, and says which of them a resident may file to', () => {
    expect(choicesBelow(UNITS, []).map((c) => c.name)).toEqual(['示范市']);
    expect(choicesBelow(UNITS, ['示范市']).map((c) => c.name)).toEqual(['河东区', '河西区']);
    expect(choicesBelow(UNITS, ['示范市', '河东区']).map((c) => c.name)).toEqual(['东关街道', '柳林镇']);
    const communities = choicesBelow(UNITS, ['示范市', '河东区', '东关街道']);
    expect(communities).toEqual([{ name: '东关社区', unit: UNITS[0] }]);
    expect(choicesBelow(UNITS, ['示范市', '河东区', '东关街道', '东关社区']).map((c) => c.unit?.id)).toEqual(['hd-dg-1-g1', 'hd-dg-1-g2']);
    expect(choicesBelow(UNITS, ['示范市', '河东区', '柳林镇', '柳林村'])).toEqual([]);
  });

  it('knows the unit when the path ends at one, and none above a community', () => {
    expect(unitAtPath(UNITS, [])).toBeNull();
    expect(unitAtPath(UNITS, ['示范市', '河东区', '东关街道'])).toBeNull();
    expect(unitAtPath(UNITS, ['示范市', '河东区', '东关街道', '东关社区'])?.id).toBe('hd-dg-1');
    expect(unitAtPath(UNITS, ['示范市', '河东区', '东关街道', '东关社区', '东关社区第二网格'])?.id).toBe('hd-dg-1-g2');
  });
});

describe('the filing', () => {
  const good = { ...EMPTY_MAILBOX_DRAFT, kind: 'grievance' as const, title: '路灯坏了', description: '东关小区 3 号楼前的路灯坏了一周。', unitId: 'hd-dg-1' };

  it('checks what the API checks', () => {
    expect(checkMailbox(good, ['grievance'], ['hd-dg-1'])).toEqual({});
    const wrong = checkMailbox({ ...EMPTY_MAILBOX_DRAFT, title: '长'.repeat(201), phone: 'abc' }, ['grievance'], ['hd-dg-1']);
    expect(Object.keys(wrong).sort()).toEqual(['description', 'filer.phone', 'kind', 'title', 'unitId']);
    expect(wrong.title).toEqual({ key: 'v.maxChars', params: { max: 200 } });
    expect(checkMailbox({ ...good, kind: 'dispute' }, ['grievance'], ['hd-dg-1']).kind).toBeDefined();
  });

  it('leaves out what was left empty and trims the rest', () => {
    expect(mailboxBody(good)).toEqual({
      kind: 'grievance',
      title: '路灯坏了',
      description: '东关小区 3 号楼前的路灯坏了一周。',
      unitId: 'hd-dg-1',
      filer: { anonymous: false },
    });
    expect(mailboxBody({ ...good, name: ' 王五 ', phone: '13812345678', anonymous: true, address: ' 3 号楼 ' })).toMatchObject({
      filer: { name: '王五', phone: '13812345678', anonymous: true },
      location: { address: '3 号楼' },
    });
  });
});

describe('files', () => {
  it('accepts photos, PDF and recordings up to 20 MB, by type or else by name', () => {
    expect(fileType({ name: 'a.jpg', type: 'image/jpeg' })).toBe('image/jpeg');
    expect(fileType({ name: 'voice.m4a', type: 'audio/x-m4a' })).toBe('audio/mp4');
    expect(fileType({ name: 'VOICE.WAV', type: '' })).toBe('audio/wav');
    expect(fileType({ name: 'a.gif', type: 'image/gif' })).toBeNull();
    expect(fileProblem({ name: 'a.png', type: 'image/png', size: MAX_FILE_BYTES })).toBeNull();
    expect(fileProblem({ name: 'a.png', type: 'image/png', size: MAX_FILE_BYTES + 1 })).toBe('size');
    expect(fileProblem({ name: 'a.exe', type: 'application/x-msdownload', size: 10 })).toBe('type');
    expect(fileProblem({ name: 'a.pdf', type: 'application/pdf', size: 0 })).toBe('empty');
    expect(fileSize(512)).toBe('512 B');
    expect(fileSize(3 * 1024 * 1024 + 400 * 1024)).toBe('3.4 MB');
  });
});

describe('waiting and links', () => {
  it('reads Retry-After as seconds or as a date', () => {
    const now = Date.parse('2026-12-04T10:00:00Z');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Fri, 04 Dec 2026 10:30:00 GMT', now)).toBe(1800);
    expect(retryAfterSeconds(null, now)).toBeUndefined();
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAt(60, now)?.toISOString()).toBe('2026-12-04T10:01:00.000Z');
    expect(waitMinutes(1)).toBe(1);
    expect(waitMinutes(3599)).toBe(60);
  });

  it('puts the number and code in the tracking link, escaped', () => {
    expect(trackingLink('https://minyi.example', 'MY-2026-000123', 'ab+c/d')).toBe('https://minyi.example/track?number=MY-2026-000123&code=ab%2Bc%2Fd');
  });

  it('names every unit level and attachment kind in both languages', () => {
    for (const catalogue of Object.values(CATALOGUES)) {
      for (const level of ['city', 'county', 'town', 'community', 'grid']) expect(catalogue[`level.${level}` as keyof typeof catalogue]).toBeTruthy();
      for (const kind of ['photo', 'document', 'audio', 'agreement']) expect(catalogue[`attachmentKind.${kind}` as keyof typeof catalogue]).toBeTruthy();
    }
  });
});
