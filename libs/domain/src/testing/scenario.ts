import { expect } from '@jest/globals';
import { decide, type DecideContext } from '../case/decide.js';
import type { CaseCommand } from '../case/commands.js';
import type { CaseEvent, CaseEventWithMeta } from '../case/events.js';
import { fold } from '../case/evolve.js';
import type { CaseState } from '../case/state.js';
import { DomainError, type DomainErrorCode } from '../errors.js';
import { caseClocks } from '../sla/clocks.js';
import { DEFAULT_SLA_POLICY, type SlaPolicy } from '../sla/policy.js';
import { org, withMeta } from './fixtures.js';

/**
 * given(history).when(command).then(events) or .thenThrows(code): a decider test in one line.
 * The events are recorded at `AT`; the decider gets the SLA clocks they start under the default
 * policy, as the command path does.
 */
export function given(...history: CaseEvent[]) {
  return givenTimed(withMeta(history));
}

/** The same for a history recorded at given times, with the SLA clocks that `policy` derives from it. */
export function givenTimed(history: readonly CaseEventWithMeta[], policy: SlaPolicy = DEFAULT_SLA_POLICY) {
  return scenarioOn(fold(history), { org, clocks: caseClocks(history, policy) });
}

function scenarioOn(state: CaseState, context: DecideContext) {
  return {
    when(command: CaseCommand) {
      const decideIt = () => decide(command, state, context);
      return {
        then(expected: CaseEvent[]): void {
          expect(decideIt()).toEqual(expected);
        },
        /** The state after the command's events, for asserting what the move did. */
        thenState(): CaseState {
          return fold(withMeta(decideIt()), state);
        },
        thenThrows(code: DomainErrorCode, message?: RegExp): DomainError {
          const error = thrownBy(decideIt);
          expect(error).toBeInstanceOf(DomainError);
          const { code: actual, message: actualMessage } = error as DomainError;
          // Compared together so that a wrong code shows the message that explains it.
          const expectedMessage = message ? expect.stringMatching(message) : actualMessage;
          expect({ code: actual, message: actualMessage }).toEqual({ code, message: expectedMessage });
          return error as DomainError;
        },
      };
    },
  };
}

export function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the command to be refused, but it was accepted');
}
