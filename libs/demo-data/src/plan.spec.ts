import { describe, expect, it } from '@jest/globals';
import { DEMO_ACCOUNTS } from '#accounts';
import { CASE_KINDS, CHANNELS, DEMO_ORG_UNITS, OrgTree, VISIT_REASONS } from '#domain';
import { planDemoCases, type ActStep, type DemoCasePlan } from './plan.js';

const org = new OrgTree(DEMO_ORG_UNITS);
const now = new Date('2026-12-04T23:40:00Z');
const plan = (seed = 20260101, count = 500, at = now): DemoCasePlan[] => planDemoCases({ seed, count, now: at, org, staff: DEMO_ACCOUNTS });
const acts = (plans: readonly DemoCasePlan[]): ActStep[] => plans.flatMap((p) => p.steps.filter((step): step is ActStep => step.kind === 'act'));

/** The demo year as planned: what seeding files, without a database. */
describe('the demo case plan', () => {
  const plans = plan();
  const filings = acts(plans).filter((step) => step.command.type === 'FileCase');

  it('is the same for the same seed, and another for another seed', () => {
    expect(plan()).toEqual(plans);
    const other = plan(7);
    expect(other.map((p) => p.title)).not.toEqual(plans.map((p) => p.title));
  });

  it('says the same whenever it is laid out: only the times move with now', () => {
    const later = plan(20260101, 500, new Date('2027-03-15T02:00:00Z'));
    const content = (plans: readonly DemoCasePlan[]) => acts(plans).filter((step) => step.command.type === 'FileCase').map((step) => step.command.type === 'FileCase' && [step.command.kind, step.command.title]);
    expect(content(later)).toEqual(content(plans));
    expect(later.map((p) => p.filedAt)).not.toEqual(plans.map((p) => p.filedAt));
  });

  it('files about the count asked for, over the past year, oldest first', () => {
    expect(filings.length).toBeGreaterThanOrEqual(490);
    expect(filings.length).toBeLessThanOrEqual(510);
    const filedAt = plans.map((p) => Date.parse(p.filedAt));
    expect(filedAt).toEqual([...filedAt].sort((a, b) => a - b));
    expect(Math.min(...filedAt)).toBeGreaterThan(now.getTime() - 366 * 86_400_000);
    expect(Math.max(...filedAt)).toBeLessThan(now.getTime());
    // Spread over the months, not heaped on a few.
    const months = new Set(filedAt.map((t) => new Date(t).toISOString().slice(0, 7)));
    expect(months.size).toBeGreaterThanOrEqual(12);
  });

  it('covers every kind, channel and visit reason, at communities and grids across the tree', () => {
    const kinds = new Set(filings.map((step) => (step.command.type === 'FileCase' ? step.command.kind : null)));
    expect([...kinds].sort()).toEqual([...CASE_KINDS].sort());
    const channels = new Set(filings.map((step) => (step.command.type === 'FileCase' ? step.command.channel : null)));
    expect([...channels].sort()).toEqual([...CHANNELS].sort());
    const reasons = new Set(filings.flatMap((step) => (step.command.type === 'FileCase' && step.command.visitReason ? [step.command.visitReason] : [])));
    expect([...reasons].sort()).toEqual([...VISIT_REASONS].sort());
    const units = new Set(filings.map((step) => (step.command.type === 'FileCase' ? step.command.unitId : null)));
    expect([...units].sort()).toEqual(['hd-dg-1', 'hd-dg-1-g1', 'hd-dg-1-g2', 'hd-ll-1', 'hx-ty-1', 'hx-xh-1', 'hx-xh-1-g1']);
  });

  it('writes Chinese titles with places, and filers with 138 numbers, some anonymous', () => {
    for (const step of filings) {
      if (step.command.type !== 'FileCase') continue;
      expect(step.command.title).toMatch(/[\u4e00-\u9fff]/);
      expect(step.command.title).not.toMatch(/[{}]/);
      expect(step.command.description).not.toMatch(/[{}]/);
      const { filer } = step.command;
      if (filer.anonymous) expect(filer).toEqual({ name: '', phone: null, anonymous: true });
      else expect(filer.phone).toMatch(/^138\d{8}$/);
    }
    expect(filings.filter((step) => step.command.type === 'FileCase' && step.command.filer.anonymous).length).toBeGreaterThan(5);
  });

  it('carries most cases to closure, with every kind of turn, and leaves a few running', () => {
    const types = acts(plans).map((step) => step.command.type);
    const count = (type: string) => types.filter((t) => t === type).length;
    for (const type of ['AcceptCase', 'AssignCase', 'AddNote', 'EscalateCase', 'RequestAnnotation', 'AnnotateCase', 'ResolveCase', 'RecordFeedback', 'CloseCase', 'ReopenCase', 'RejectCase', 'WithdrawCase', 'MergeCase', 'AdoptSuggestion']) {
      expect([type, count(type)]).toEqual([type, expect.any(Number)]);
      expect(count(type)).toBeGreaterThan(0);
    }
    expect(plans.some((p) => p.steps.some((step) => step.kind === 'lapse'))).toBe(true);
    const feedback = acts(plans).flatMap((step) => (step.command.type === 'RecordFeedback' ? [step.command.satisfaction] : []));
    expect(feedback.filter((s) => s === 'unsatisfied').length).toBeLessThan(feedback.filter((s) => s === 'satisfied').length / 5);
    const running = plans.filter((p) => p.running);
    expect(running.length).toBeGreaterThanOrEqual(20);
    expect(running.length).toBeLessThan(50);
  });

  it('adopts a share of the suggestions, at several levels, and only suggestions', () => {
    const adoptions = acts(plans).filter((step) => step.command.type === 'AdoptSuggestion');
    const suggestions = new Set(plans.filter((p) => p.kind === 'suggestion').map((p) => p.caseId));
    expect(adoptions.every((step) => suggestions.has(step.caseId))).toBe(true);
    const levels = new Set(adoptions.map((step) => (step.command.type === 'AdoptSuggestion' ? step.command.level : null)));
    expect(levels.size).toBeGreaterThanOrEqual(4);
    expect(adoptions.length).toBeGreaterThan(suggestions.size / 4);
  });

  it('plans the running cases recently enough that their clocks cannot have run out', () => {
    for (const p of plans.filter((candidate) => candidate.running)) {
      // Every clock is at least one working day, never shorter than 24 hours: the stage's clock started within it.
      expect(now.getTime() - Date.parse(p.filedAt)).toBeLessThan(4 * 86_400_000);
      expect(now.getTime() - Date.parse(p.filedAt)).toBeGreaterThan(0);
    }
  });

  it('plans nothing without a coordinator to work the cases', () => {
    expect(planDemoCases({ seed: 1, count: 100, now, org, staff: [] })).toEqual([]);
  });
});
