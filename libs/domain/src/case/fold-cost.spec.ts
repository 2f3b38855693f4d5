import { afterEach, describe, expect, it } from '@jest/globals';
import { caseFiled, withMeta } from '../testing/fixtures.js';
import type { CaseEvent, CaseEventWithMeta } from './events.js';
import { evolve, fold } from './evolve.js';
import { initialState, type CaseState, type ExistingCase } from './state.js';

/**
 * What folding a case costs, counted rather than timed: every element an array copy reads (a
 * spread or Array.from, which go through the array iterator, and slice and concat) is counted
 * while a fold runs. A fold that copied the notes for each note it adds reads n²/2 elements for
 * n notes; a linear one reads a few per event.
 */
const ArrayProto = Array.prototype as unknown as Record<PropertyKey, unknown> & { [Symbol.iterator]: () => Iterator<unknown> };
const original = { iterator: ArrayProto[Symbol.iterator], slice: Array.prototype.slice, concat: Array.prototype.concat };

function elementsCopiedBy(run: () => void): number {
  let copied = 0;
  ArrayProto[Symbol.iterator] = function (this: unknown[]) {
    const inner = original.iterator.call(this);
    return {
      next() {
        const result = inner.next();
        if (!result.done) copied += 1;
        return result;
      },
      [Symbol.iterator]() {
        return this;
      },
    };
  };
  Array.prototype.slice = function (this: unknown[], ...args: Parameters<typeof original.slice>) {
    copied += this.length;
    return original.slice.apply(this, args);
  };
  Array.prototype.concat = function (this: unknown[], ...args: unknown[]) {
    copied += this.length;
    return original.concat.apply(this, args);
  };
  try {
    run();
  } finally {
    restore();
  }
  return copied;
}

function restore(): void {
  ArrayProto[Symbol.iterator] = original.iterator;
  Array.prototype.slice = original.slice;
  Array.prototype.concat = original.concat;
}

const N = 1_000;
const note = (i: number): CaseEvent => ({ type: 'NoteAdded', data: { noteType: 'contact', text: `第${i}次联系` } });
const notes = (count: number, from = 0): CaseEvent[] => Array.from({ length: count }, (_, i) => note(from + i));
const aCaseWith = (count: number): CaseEventWithMeta[] => withMeta([caseFiled('hd-dg-1'), { type: 'CaseAccepted', data: { note: null } }, ...notes(count)]);

describe('folding a case costs time linear in its events', () => {
  afterEach(restore);

  it('counts the copies of a fold that copies the notes for every note (the check itself works)', () => {
    const history = aCaseWith(N);
    const copied = elementsCopiedBy(() => history.reduce<CaseState>((state, { event, meta }) => evolve(state, event, meta), initialState));
    expect(copied).toBeGreaterThan((N * N) / 4);
  });

  it(`copies a few elements per event folding ${N} notes, not the notes before each`, () => {
    const history = aCaseWith(N);
    let folded: CaseState = initialState;
    const copied = elementsCopiedBy(() => (folded = fold(history)));
    expect(copied).toBeLessThan(4 * history.length);
    expect((folded as ExistingCase).notes).toHaveLength(N);
    expect((folded as ExistingCase).notes.map((n) => n.text)).toEqual(notes(N).map((e) => (e.data as { text: string }).text));
  });

  it('copies the notes of the state it starts from once, and leaves that state as it was', () => {
    const before = fold(aCaseWith(N)) as ExistingCase;
    const beforeNotes = before.notes;
    let after: CaseState = initialState;
    const copied = elementsCopiedBy(() => (after = fold(withMeta(notes(N, N)), before)));
    expect(copied).toBeLessThan(N + 4 * N);
    expect(before.notes).toBe(beforeNotes);
    expect(before.notes).toHaveLength(N);
    expect((after as ExistingCase).notes).toHaveLength(2 * N);
    expect((after as ExistingCase).notes[N]!.text).toBe(`第${N}次联系`);
  });

  it('never changes a state it returned: a later fold from it appends to a copy', () => {
    const first = fold(aCaseWith(3)) as ExistingCase;
    const kept = [...first.notes];
    const a = fold(withMeta(notes(2, 100)), first) as ExistingCase;
    const b = fold(withMeta(notes(1, 200)), first) as ExistingCase;
    expect(first.notes).toEqual(kept);
    expect(a.notes.map((n) => n.text).slice(3)).toEqual(['第100次联系', '第101次联系']);
    expect(b.notes.map((n) => n.text).slice(3)).toEqual(['第200次联系']);
  });

  it('keeps every list of the case linear: annotations, feedback, extensions, units visited', () => {
    const rounds = 300;
    const round: CaseEvent[] = [
      { type: 'AnnotationRequested', data: { summary: '请批示' } },
      { type: 'CaseAnnotated', data: { instruction: '抓紧办理', assignToUnitId: null, fromUnitId: 'hd-dg-1' } },
      { type: 'DeadlineExtended', data: { clock: 'resolve', workingDays: 1, reason: '案情复杂' } },
      { type: 'CaseResolved', data: { outcome: 'mediated', summary: '已调解' } },
      { type: 'FeedbackRecorded', data: { satisfaction: 'unsatisfied', comment: null } },
    ];
    const history = withMeta([caseFiled('hd-dg-1'), { type: 'CaseAccepted', data: { note: null } }, ...Array.from({ length: rounds }, () => round).flat()]);
    let folded: CaseState = initialState;
    const copied = elementsCopiedBy(() => (folded = fold(history)));
    expect(copied).toBeLessThan(4 * history.length);
    expect(folded).toMatchObject({ status: 'in_coordination' });
    const state = folded as ExistingCase;
    expect([state.annotations.length, state.feedback.length, state.extensions.length]).toEqual([rounds, rounds, rounds]);
  });
});
