import type { CaseClocks, ExistingCase, SlaPolicy } from '#domain';
import type { RecordedEvent } from '#event-store';
import { foldCase } from './case-fold-cache.js';

/** A moment of a case's history: right after one of its revisions, or as of a time (ISO 8601). */
export type CasePoint = { readonly revision: number; readonly at?: undefined } | { readonly at: string; readonly revision?: undefined };

/** The case as it stood at a point of its history. */
export interface CaseAsOf {
  /** The last revision folded. */
  readonly revision: number;
  /** When that event was recorded. */
  readonly at: string;
  readonly state: ExistingCase;
  readonly clocks: CaseClocks;
  /** The events folded: revisions 0 to `revision`. */
  readonly events: readonly RecordedEvent[];
}

/**
 * The case exactly as it stood right after event `revision` (events 0..revision folded), or with
 * every event recorded at or before `at` folded. Null when the revision is past the case's last
 * or the time is before it was filed. `events` is the case's whole stream, in revision order.
 */
export function caseAsOf(events: readonly RecordedEvent[], point: CasePoint, policy: SlaPolicy): CaseAsOf | null {
  const upTo =
    point.revision !== undefined
      ? events.filter((event) => event.revision <= point.revision)
      : events.filter((event) => Date.parse(event.metadata.at) <= Date.parse(point.at));
  const last = upTo.at(-1);
  if (!last || (point.revision !== undefined && last.revision !== point.revision)) return null;
  const { state, clocks } = foldCase(upTo, policy);
  return { revision: last.revision, at: last.metadata.at, state: state as ExistingCase, clocks, events: upTo };
}
