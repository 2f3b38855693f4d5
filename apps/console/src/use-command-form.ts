import { useRef, useState, type FormEvent, type RefObject } from 'react';
import { ApiError } from './api/client.js';
import { focusFirstProblem } from './components.js';
import { serverProblems, type Problems } from './forms/problems.js';

/**
 * The problems of a refused request (400), beside the fields the server names. Other refusals
 * that name a field (a file too large or of a type not accepted) are said in words of their own.
 */
export function refusedFields(failure: unknown): Problems {
  return failure instanceof ApiError && failure.status === 400 ? serverProblems(failure.details) : {};
}

export interface CommandForm {
  readonly problems: Problems;
  readonly error: unknown;
  readonly busy: boolean;
  readonly form: RefObject<HTMLFormElement | null>;
  readonly submit: (event: FormEvent) => Promise<void>;
}

/**
 * A form that sends one command: its own checks first, then the request; what to show while it
 * runs, and after it fails (the failure, and the fields the server refused beside them, or where
 * `refused` puts them). Focus goes to the first field with a problem.
 */
export function useCommandForm(check: () => Problems, send: () => Promise<void>, refused: (failure: unknown) => Problems = refusedFields): CommandForm {
  const [problems, setProblems] = useState<Problems>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Also between a first submit and the render that disables the button.
  const running = useRef(false);
  const form = useRef<HTMLFormElement>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (running.current) return;
    const found = check();
    setProblems(found);
    setError(null);
    if (Object.keys(found).length > 0) return focusFirstProblem(form.current);
    running.current = true;
    setBusy(true);
    try {
      await send();
    } catch (failure) {
      setError(failure);
      setProblems(refused(failure));
      focusFirstProblem(form.current);
    } finally {
      running.current = false;
      setBusy(false);
    }
  };
  return { problems, error, busy, form, submit };
}

/**
 * A form that files something once: its request carries an Idempotency-Key that stays the same
 * while what is sent does (`signature`), so a double submit or a retry after a lost answer files
 * one; what was changed after a refusal goes with a new key.
 */
export function useFilingForm<T>(
  check: () => Problems,
  prepare: () => { readonly signature: string; readonly send: (idempotencyKey: string) => Promise<T> },
  done: (answer: T) => void,
): CommandForm {
  const attempt = useRef<{ key: string; signature: string | null }>({ key: crypto.randomUUID(), signature: null });
  return useCommandForm(check, async () => {
    const { signature, send } = prepare();
    if (attempt.current.signature !== null && attempt.current.signature !== signature) attempt.current = { key: crypto.randomUUID(), signature };
    else attempt.current = { key: attempt.current.key, signature };
    const answer = await send(attempt.current.key);
    attempt.current = { key: crypto.randomUUID(), signature: null };
    done(answer);
  });
}
