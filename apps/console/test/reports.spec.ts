import { describe, expect, it } from '@jest/globals';
import type { Hotspot } from '../src/api/types.js';
import {
  adoptableLevels,
  dispositionFileName,
  HEAT_SHADES,
  heatGrid,
  heatShade,
  moveItem,
  rateText,
  scorePercent,
  scorePoints,
  trendOf,
  trendText,
} from '../src/reports.js';

const percent = (rate: number) => `${Math.round(rate * 100)}%`;

describe('report figures as the console shows them', () => {
  it('shows a rate as a percentage and a rate without a denominator as a dash', () => {
    expect(rateText(0.875, percent)).toBe('88%');
    expect(rateText(0, percent)).toBe('0%');
    expect(rateText(null, percent)).toBe('—');
    expect(rateText(undefined, percent)).toBe('—');
  });

  it('puts a score on a scale of 100 with one decimal, and a similarity as a whole percentage', () => {
    expect(scorePoints(0.8765)).toBe('87.7');
    expect(scorePoints(1)).toBe('100.0');
    expect(scorePoints(0)).toBe('0.0');
    expect(scorePercent(0.734)).toBe('73%');
    expect(scorePercent(1.2)).toBe('100%');
  });
});

describe('heat shading', () => {
  it('leaves nothing unshaded and shades the largest count darkest', () => {
    expect(heatShade(0, 10)).toBe(0);
    expect(heatShade(3, 0)).toBe(0);
    expect(heatShade(10, 10)).toBe(HEAT_SHADES);
    expect(heatShade(1, 10)).toBe(1);
    expect(heatShade(5, 10)).toBe(3);
    expect(heatShade(6, 10)).toBe(3);
    expect(heatShade(7, 10)).toBe(4);
  });

  it('says how a count moved against the period before', () => {
    expect(trendOf(5, 2)).toEqual({ direction: 'up', delta: 3 });
    expect(trendOf(1, 4)).toEqual({ direction: 'down', delta: -3 });
    expect(trendOf(2, 2)).toEqual({ direction: 'same', delta: 0 });
    expect(trendOf(3, 0)).toEqual({ direction: 'new', delta: 3 });
    expect(trendText(trendOf(5, 2))).toBe('↑3');
    expect(trendText(trendOf(1, 4))).toBe('↓3');
    expect(trendText(trendOf(2, 2))).toBe('→0');
    expect(trendText(trendOf(3, 0))).toBe('↑3');
  });

  it('lays hotspots out as terms by units, in the order the server ranked them', () => {
    const spot = (term: string, kind: Hotspot['kind'], unitId: string, count: number): Hotspot => ({ term, kind, unitId, count, previousCount: 0 });
    const grid = heatGrid([
      spot('停车', 'dispute', 'hd-dg-1', 7),
      spot('噪音', 'grievance', 'hd-dg-2', 4),
      spot('停车', 'dispute', 'hd-dg-2', 2),
      spot('停车', 'suggestion', 'hd-dg-1', 1),
    ]);
    expect(grid.units).toEqual(['hd-dg-1', 'hd-dg-2']);
    expect(grid.rows.map((row) => `${row.term}/${row.kind}`)).toEqual(['停车/dispute', '噪音/grievance', '停车/suggestion']);
    expect(grid.rows[0]!.cells.get('hd-dg-2')?.count).toBe(2);
    expect(grid.rows[1]!.cells.has('hd-dg-1')).toBe(false);
    expect(grid.max).toBe(7);
    expect(heatGrid([]).max).toBe(0);
  });
});

describe('the name a download is saved under', () => {
  it("prefers the UTF-8 name, so a Chinese name survives", () => {
    const header = `attachment; filename="cases.xlsx"; filename*=UTF-8''${encodeURIComponent('案件查询-2026.xlsx')}`;
    expect(dispositionFileName(header, 'x.xlsx')).toBe('案件查询-2026.xlsx');
  });

  it('reads a plain name, quoted or not', () => {
    expect(dispositionFileName('attachment; filename="stats \\"q\\".xlsx"', 'x.xlsx')).toBe('stats "q".xlsx');
    expect(dispositionFileName('attachment; filename=stats.xlsx', 'x.xlsx')).toBe('stats.xlsx');
  });

  it('keeps folders out of the name and falls back when there is none', () => {
    expect(dispositionFileName('attachment; filename="../../etc/passwd"', 'x.xlsx')).toBe('passwd');
    expect(dispositionFileName("attachment; filename*=UTF-8''%E0%A4%A", 'x.xlsx')).toBe('x.xlsx');
    expect(dispositionFileName('attachment', 'x.xlsx')).toBe('x.xlsx');
    expect(dispositionFileName(null, 'x.xlsx')).toBe('x.xlsx');
    expect(dispositionFileName('attachment; filename=".."', 'x.xlsx')).toBe('x.xlsx');
  });
});

describe('composing a bulletin', () => {
  it('moves an item up or down, and not off either end', () => {
    expect(moveItem(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveItem(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });

  it('offers the adoption levels from where the case was filed up to the reader’s own, and the higher ones to city staff', () => {
    expect(adoptableLevels('town', 'community')).toEqual(['community', 'town']);
    expect(adoptableLevels('town', 'grid')).toEqual(['community', 'town']);
    expect(adoptableLevels('county', 'town')).toEqual(['town', 'county']);
    expect(adoptableLevels('city', 'county')).toEqual(['county', 'city', 'province', 'national']);
    expect(adoptableLevels('community', 'town')).toEqual([]);
  });
});
