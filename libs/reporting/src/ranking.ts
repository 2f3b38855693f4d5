import { RANKED_RATES, type RankedRate, type RankingWeights } from '#domain';

/** One child unit's figures over its subtree, as the ranking weighs them. */
export type UnitRates = { readonly unitId: string; readonly name: string; readonly filed: number } & { readonly [R in RankedRate]: number | null };

export type RankedUnit = UnitRates & { readonly score: number; readonly rank: number };

/** Scores are rounded to this many decimals, so that units with the same figures tie exactly. */
const SCORE_DECIMALS = 9;

/**
 * Scores and ranks sibling units. A unit's score is the weighted mean of its four rates
 * (Σ weight × rate / Σ weights, so in [0, 1] whatever the weights add up to). A rate that is null
 * (nothing to take it of) counts as the mean of that rate over the units that have one, and as 0
 * when none has. Highest score first; equal scores share a rank (1, 1, 3) and are listed by unit id.
 */
export function rankUnits(units: readonly UnitRates[], weights: RankingWeights): RankedUnit[] {
  const stand = Object.fromEntries(RANKED_RATES.map((rate) => [rate, meanOf(units.map((unit) => unit[rate]))])) as Record<RankedRate, number>;
  const totalWeight = RANKED_RATES.reduce((sum, rate) => sum + weights[rate], 0);
  const scored = units.map((unit) => {
    const weighted = RANKED_RATES.reduce((sum, rate) => sum + weights[rate] * (unit[rate] ?? stand[rate]), 0);
    return { ...unit, score: roundScore(weighted / totalWeight) };
  });
  scored.sort((a, b) => b.score - a.score || (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0));
  const ranked: RankedUnit[] = [];
  for (const [index, unit] of scored.entries()) {
    const previous = ranked[index - 1];
    ranked.push({ ...unit, rank: previous && previous.score === unit.score ? previous.rank : index + 1 });
  }
  return ranked;
}

/** The mean of the rates that are there; 0 when none is. */
function meanOf(rates: readonly (number | null)[]): number {
  const present = rates.filter((rate): rate is number => rate !== null);
  return present.length === 0 ? 0 : present.reduce((sum, rate) => sum + rate, 0) / present.length;
}

function roundScore(score: number): number {
  const scale = 10 ** SCORE_DECIMALS;
  return Math.round(score * scale) / scale;
}
