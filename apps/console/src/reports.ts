import { ADOPTION_LEVELS, adoptionLevelOf, type AdoptionLevel, type OrgLevel } from '#domain';
import type { Hotspot } from './api/types.js';

/** A rate in [0, 1] as a percentage, or a dash when it has no denominator (null). */
export function rateText(rate: number | null | undefined, formatPercent: (rate: number) => string): string {
  return rate === null || rate === undefined ? '—' : formatPercent(rate);
}

/** The number of shades a heat cell may take; 0 is an empty cell. */
export const HEAT_SHADES = 5;

/** How dark a heat cell is: 0 for nothing, else 1…HEAT_SHADES in proportion to the largest count. */
export function heatShade(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.max(1, Math.min(HEAT_SHADES, Math.ceil((count / max) * HEAT_SHADES)));
}

export type Trend = { readonly direction: 'up' | 'down' | 'same'; readonly delta: number } | { readonly direction: 'new'; readonly delta: number };

/** How a count moved against the period before: `new` when it had none then. */
export function trendOf(count: number, previousCount: number): Trend {
  const delta = count - previousCount;
  if (previousCount === 0 && count > 0) return { direction: 'new', delta };
  return { direction: delta > 0 ? 'up' : delta < 0 ? 'down' : 'same', delta };
}

/** The delta as the table shows it: ↑3, ↓2, →0. */
export function trendText(trend: Trend): string {
  if (trend.direction === 'up' || trend.direction === 'new') return `↑${trend.delta}`;
  if (trend.direction === 'down') return `↓${-trend.delta}`;
  return '→0';
}

/** Hotspots as a grid: one row per term and kind, one column per unit, in the order the server ranked them. */
export interface HeatGrid {
  readonly units: readonly string[];
  readonly rows: readonly { readonly term: string; readonly kind: Hotspot['kind']; readonly cells: ReadonlyMap<string, Hotspot> }[];
  readonly max: number;
}

export function heatGrid(items: readonly Hotspot[]): HeatGrid {
  const units: string[] = [];
  const rows = new Map<string, { term: string; kind: Hotspot['kind']; cells: Map<string, Hotspot> }>();
  for (const item of items) {
    if (!units.includes(item.unitId)) units.push(item.unitId);
    const key = `${item.kind}\u0000${item.term}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { term: item.term, kind: item.kind, cells: new Map() }));
    row.cells.set(item.unitId, item);
  }
  return { units, rows: [...rows.values()], max: Math.max(0, ...items.map((item) => item.count)) };
}

/**
 * The file name a `Content-Disposition` header gives, preferring RFC 5987's `filename*=UTF-8''…`
 * (Chinese names) over the plain `filename=`; `fallback` when it names none.
 */
export function dispositionFileName(header: string | null | undefined, fallback: string): string {
  if (!header) return fallback;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended) {
    try {
      return safeFileName(decodeURIComponent(extended[2]!.trim().replace(/^"|"$/g, '')), fallback);
    } catch {
      // A malformed escape: fall back to the plain name.
    }
  }
  const plain = /filename\s*=\s*("((?:[^"\\]|\\.)*)"|[^;]+)/i.exec(header);
  if (plain) return safeFileName(plain[2] !== undefined ? plain[2].replace(/\\(.)/g, '$1') : plain[1]!.trim(), fallback);
  return fallback;
}

/** A name without folders in it, so a download lands where the reader saves it. */
function safeFileName(name: string, fallback: string): string {
  const base = name.split(/[\\/]/).pop()!.trim();
  return base === '' || base === '.' || base === '..' ? fallback : base;
}

/** `items` with the one at `index` moved `by` places (−1 up, +1 down); unchanged when it would leave the list. */
export function moveItem<T>(items: readonly T[], index: number, by: number): T[] {
  const target = index + by;
  if (index < 0 || index >= items.length || target < 0 || target >= items.length) return [...items];
  const moved = [...items];
  const [item] = moved.splice(index, 1);
  moved.splice(target, 0, item!);
  return moved;
}

/**
 * The levels at which a reader may record an adoption of a case, lowest first (the domain's rule,
 * so that the form offers only what the server takes): from the level the case was filed at up to
 * the reader's own, and for city staff on to the province's and the nation's.
 */
export function adoptableLevels(readerLevel: OrgLevel, filedLevel: OrgLevel): AdoptionLevel[] {
  const own = adoptionLevelOf(readerLevel);
  const highest = ADOPTION_LEVELS.indexOf(own === 'city' ? 'national' : own);
  return ADOPTION_LEVELS.filter((_, rank) => rank >= ADOPTION_LEVELS.indexOf(adoptionLevelOf(filedLevel)) && rank <= highest);
}

/** A similarity score in [0, 1] as a whole percentage. */
export function scorePercent(score: number): string {
  return `${Math.round(Math.max(0, Math.min(1, score)) * 100)}%`;
}

/** A ranking score (the weighted rates, in [0, 1]) on a scale of 100, one decimal. */
export function scorePoints(score: number): string {
  return (Math.round(score * 1000) / 10).toFixed(1);
}
