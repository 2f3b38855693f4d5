import { describe, expect, it } from '@jest/globals';
import { figuresOf, rate, type CaseCounts } from './statistics.js';

const NONE = { suggestion: 0, grievance: 0, dispute: 0, risk: 0, hardship: 0, visit: 0 };

function counts(month: string, kind: CaseCounts['kind'], values: Partial<Omit<CaseCounts, 'month' | 'kind'>>): CaseCounts {
  return {
    month,
    kind,
    filed: 0,
    accepted: 0,
    acceptedOnTime: 0,
    acceptedOrBreached: 0,
    resolved: 0,
    resolvedOnTime: 0,
    annotated: 0,
    withFeedback: 0,
    satisfied: 0,
    selfRated: 0,
    selfRatedSatisfied: 0,
    ...values,
  };
}

describe('the figures of a period', () => {
  it('sums the counts of every month and kind, with each rate from its own numerator and denominator', () => {
    const figures = figuresOf(
      [
        counts('2026-11', 'dispute', { filed: 4, accepted: 4, acceptedOnTime: 3, acceptedOrBreached: 4, resolved: 3, resolvedOnTime: 2, withFeedback: 2, satisfied: 1 }),
        counts('2026-11', 'suggestion', { filed: 3, accepted: 2, acceptedOnTime: 2, acceptedOrBreached: 3, resolved: 1, resolvedOnTime: 1, annotated: 2, withFeedback: 1, satisfied: 1, selfRated: 3, selfRatedSatisfied: 1 }),
        counts('2027-01', 'dispute', { filed: 1, acceptedOrBreached: 1 }),
      ],
      ['2026-11', '2026-12', '2027-01'],
    );
    expect(figures).toEqual({
      filed: { total: 8, byKind: { ...NONE, dispute: 5, suggestion: 3 } },
      resolved: 4,
      disputesResolved: 3,
      annotated: 2,
      responseRate: 5 / 8,
      resolutionRate: 4 / 6,
      satisfactionRate: 2 / 3,
      selfRatedSatisfactionRate: 1 / 3,
      onTimeRate: 3 / 4,
      byMonth: [
        { month: '2026-11', filed: 7, resolved: 4, annotated: 2, byKind: { ...NONE, dispute: 4, suggestion: 3 } },
        { month: '2026-12', filed: 0, resolved: 0, annotated: 0, byKind: NONE },
        { month: '2027-01', filed: 1, resolved: 0, annotated: 0, byKind: { ...NONE, dispute: 1 } },
      ],
    });
  });

  it('gives null for every rate of an empty period, and zeros for every month', () => {
    expect(figuresOf([], ['2025-01', '2025-02'])).toEqual({
      filed: { total: 0, byKind: NONE },
      resolved: 0,
      disputesResolved: 0,
      annotated: 0,
      responseRate: null,
      resolutionRate: null,
      satisfactionRate: null,
      selfRatedSatisfactionRate: null,
      onTimeRate: null,
      byMonth: [
        { month: '2025-01', filed: 0, resolved: 0, annotated: 0, byKind: NONE },
        { month: '2025-02', filed: 0, resolved: 0, annotated: 0, byKind: NONE },
      ],
    });
  });

  it('gives null only for the rates whose denominator is zero', () => {
    const figures = figuresOf([counts('2026-11', 'risk', { filed: 2, acceptedOrBreached: 1 })], ['2026-11']);
    expect(figures).toMatchObject({ responseRate: 0, resolutionRate: null, satisfactionRate: null, onTimeRate: null });
  });

  it('takes a rate as a number in [0, 1], null out of nothing', () => {
    expect(rate(1, 3)).toBeCloseTo(0.3333, 4);
    expect(rate(0, 5)).toBe(0);
    expect(rate(5, 5)).toBe(1);
    expect(rate(0, 0)).toBeNull();
  });
});
