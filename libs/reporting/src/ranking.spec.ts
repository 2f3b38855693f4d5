import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SLA_POLICY } from '#domain';
import { rankUnits, type UnitRates } from './ranking.js';

const EQUAL = DEFAULT_SLA_POLICY.rankingWeights;
const unit = (unitId: string, responseRate: number | null, resolutionRate: number | null, satisfactionRate: number | null, onTimeRate: number | null, filed = 1): UnitRates => ({
  unitId,
  name: unitId.toUpperCase(),
  filed,
  responseRate,
  resolutionRate,
  satisfactionRate,
  onTimeRate,
});

describe('the ranking of sibling units', () => {
  it('scores the weighted mean of the four rates and ranks the highest first', () => {
    const ranked = rankUnits([unit('a', 0.5, 0.5, 0.5, 0.5), unit('b', 1, 1, 1, 0.6), unit('c', 0, 0, 0, 0)], EQUAL);
    expect(ranked.map(({ unitId, score, rank }) => ({ unitId, score, rank }))).toEqual([
      { unitId: 'b', score: 0.9, rank: 1 },
      { unitId: 'a', score: 0.5, rank: 2 },
      { unitId: 'c', score: 0, rank: 3 },
    ]);
  });

  it('divides by the sum of the weights, so that weights need not add up to 1', () => {
    const [only] = rankUnits([unit('a', 1, 0, 0, 0)], { responseRate: 3, resolutionRate: 1, satisfactionRate: 0, onTimeRate: 0 });
    expect(only!.score).toBe(0.75);
  });

  it('counts a null rate as the mean of that rate over the siblings that have one', () => {
    const ranked = rankUnits([unit('a', 1, 1, null, 1), unit('b', 1, 1, 0.2, 1), unit('c', 1, 1, 0.6, 1)], EQUAL);
    // a's satisfaction counts as (0.2 + 0.6) / 2 = 0.4.
    expect(ranked.find((row) => row.unitId === 'a')).toMatchObject({ satisfactionRate: null, score: 0.85, rank: 2 });
    expect(ranked.map((row) => row.unitId)).toEqual(['c', 'a', 'b']);
  });

  it('counts a rate null at every sibling as 0', () => {
    const ranked = rankUnits([unit('a', 1, null, 1, 1), unit('b', 0.5, null, 1, 1)], EQUAL);
    expect(ranked.map(({ unitId, score }) => [unitId, score])).toEqual([
      ['a', 0.75],
      ['b', 0.625],
    ]);
    expect(rankUnits([unit('x', null, null, null, null, 0)], EQUAL)).toEqual([{ ...unit('x', null, null, null, null, 0), score: 0, rank: 1 }]);
  });

  it('gives tied units the same rank and skips the ranks they take (1, 1, 3), listing them by unit id', () => {
    const ranked = rankUnits([unit('z', 0.8, 0.8, 0.8, 0.8), unit('m', 0.1, 0.3, 0.7, 0.9), unit('b', 0.8, 0.8, 0.8, 0.8), unit('k', 0.9, 0.7, 0.3, 0.1)], EQUAL);
    expect(ranked.map(({ unitId, rank }) => [unitId, rank])).toEqual([
      ['b', 1],
      ['z', 1],
      // 0.5 each, however the float sums fall.
      ['k', 3],
      ['m', 3],
    ]);
  });

  it('ranks nothing when the parent has no children', () => {
    expect(rankUnits([], EQUAL)).toEqual([]);
  });
});
