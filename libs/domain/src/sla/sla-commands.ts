import type { CaseCommand, EscalateOnBreach, ExtendDeadline, RaiseSlaWarning, RecordSlaBreach } from '../case/commands.js';
import { IllegalTransitionError } from '../errors.js';
import { toMillis } from './calendar.js';
import { isOpenRun, openRun, type Clock } from './clocks.js';

/** The commands that must fit the case's SLA clocks. */
export type SlaCommand = RaiseSlaWarning | RecordSlaBreach | EscalateOnBreach | ExtendDeadline;

export function isSlaCommand(command: CaseCommand): command is SlaCommand {
  const { type } = command;
  return type === 'RaiseSlaWarning' || type === 'RecordSlaBreach' || type === 'EscalateOnBreach' || type === 'ExtendDeadline';
}

/**
 * What the clocks say about an SLA command, once role, scope and case state have allowed it:
 * null when it may go ahead, else why not.
 *
 * - RaiseSlaWarning: the run it names (clock + startedAtRevision) is open, not yet warned and
 *   not breached, and still due at the `dueAt` the alert carries.
 * - RecordSlaBreach: the run is open, not yet breached, and still due at `dueAt`.
 *   A timer set before an extension carries the old due time and is refused; the extension sets
 *   its own timers. The command's time is not compared with the due time, so that a timer that
 *   fires a moment early is not lost.
 * - EscalateOnBreach: the run is breached, still open and still due at `dueAt`: the case has not
 *   moved on since the breach (met the goal late, left the unit, been escalated already).
 * - ExtendDeadline: the clock has an open run that has not run out: not breached, and the
 *   command comes before its due time. An extension is granted before a deadline, not after.
 *
 * Every refusal is an IllegalTransitionError: for a timer job it means "nothing to do".
 */
export function slaCommandRefusal(command: SlaCommand, clocks: readonly Clock[]): IllegalTransitionError | null {
  if (command.type === 'ExtendDeadline') return extensionRefusal(command, clocks);

  const { clock, startedAtRevision, dueAt } = command;
  const name = `the ${clock} clock started at revision ${startedAtRevision}`;
  const run = clocks.find((candidate) => candidate.clock === clock && candidate.startedAtRevision === startedAtRevision);
  if (!run) return new IllegalTransitionError(`no ${clock} clock started at revision ${startedAtRevision} of this case`);
  if (!isOpenRun(run)) return new IllegalTransitionError(`${name} is no longer running: it ended at ${run.stoppedAt} (${run.state})`);
  if (command.type === 'EscalateOnBreach') {
    if (run.state !== 'breached') return new IllegalTransitionError(`${name} has not been breached; only a recorded breach escalates the case`);
  } else if (run.state === 'breached') {
    return new IllegalTransitionError(`${name} has already been breached`);
  }
  if (command.type === 'RaiseSlaWarning' && run.state === 'warned') return new IllegalTransitionError(`${name} has already been warned`);
  if (!sameInstant(dueAt, run.dueAt)) return new IllegalTransitionError(`${name} is now due at ${run.dueAt}, not at ${dueAt}`);
  return null;
}

function extensionRefusal({ clock, at }: ExtendDeadline, clocks: readonly Clock[]): IllegalTransitionError | null {
  const run = openRun(clocks, clock);
  if (!run) return new IllegalTransitionError(`no ${clock} clock is running on this case; only a running clock can be extended`);
  if (run.state === 'breached' || toMillis(at) >= toMillis(run.dueAt)) {
    return new IllegalTransitionError(`the ${clock} deadline ran out at ${run.dueAt}; a deadline can be extended only before it runs out`);
  }
  return null;
}

/** The clocks that a leader could extend now (open, not breached). */
export function extendableClocks(clocks: readonly Clock[]): Clock[] {
  return clocks.filter((run) => isOpenRun(run) && run.state !== 'breached');
}

function sameInstant(a: string, b: string): boolean {
  try {
    return toMillis(a) === toMillis(b);
  } catch {
    return false;
  }
}
