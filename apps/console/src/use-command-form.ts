import { useRef, useState, type FormEvent, type RefObject } from 'react';
import { ApiError } from './api/client.js';
import { focusFirstProblem } from './components.js';
import { serverProblems, type Problems } from './forms/problems.js';

/** The problems of a refused request, beside the fields the server names. */
export function refusedFields(failure: unknown): Problems {
  return failure instanceof ApiError ? serverProblems(failure.details) : {};
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
  const form = useRef<HTMLFormElement>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const found = check();
    setProblems(found);
    setError(null);
    if (Object.keys(found).length > 0) return focusFirstProblem(form.current);
    setBusy(true);
    try {
      await send();
    } catch (failure) {
      setError(failure);
      setProblems(refused(failure));
      focusFirstProblem(form.current);
    } finally {
      setBusy(false);
    }
  };
  return { problems, error, busy, form, submit };
}
