import { PHONE_PATTERN } from '#domain';
import type { FieldDetail } from '../api/types.js';
import { fieldMessage } from '../i18n/field-messages.js';
import type { MessageKey, Params, Translate } from '../i18n/messages.js';

/**
 * What is wrong with one field: found by the form's own checks (a message key, so it follows the
 * language switch) or sent by the server (its message, translated when shown).
 */
export type Problem = { readonly key: MessageKey; readonly params?: Params } | { readonly server: string };

/** Problems keyed by the API's field path (`title`, `filer.phone`, `parties.0.name`). */
export type Problems = Record<string, Problem>;

export function problemText(problem: Problem | undefined, t: Translate): string | undefined {
  if (!problem) return undefined;
  return 'server' in problem ? fieldMessage(problem.server, t) : t(problem.key, problem.params);
}

export function serverProblems(details: readonly FieldDetail[]): Problems {
  const problems: Problems = {};
  for (const detail of details) problems[detail.field] ??= { server: detail.message };
  return problems;
}

/** Characters as the API counts them: code points, so a rare character counts once. */
export function length(text: string): number {
  return [...text].length;
}

/** The API's checks on a text field: present when required, not blank, not too long. */
export function checkText(text: string, { required, max }: { readonly required: boolean; readonly max: number }): Problem | undefined {
  if (text === '') return required ? { key: 'v.required' } : undefined;
  if (text.trim() === '') return { key: 'v.blank' };
  if (length(text) > max) return { key: 'v.maxChars', params: { max } };
  return undefined;
}

export function checkPhone(phone: string): Problem | undefined {
  return phone === '' || PHONE_PATTERN.test(phone) ? undefined : { key: 'v.phone' };
}

export function checkChoice(value: string, allowed: readonly string[], required: boolean): Problem | undefined {
  if (value === '') return required ? { key: 'v.required' } : undefined;
  return allowed.includes(value) ? undefined : { key: 'v.oneOf', params: { values: allowed.join(', ') } };
}

export function checkWholeNumber(text: string, min: number, max: number): Problem | undefined {
  if (text.trim() === '') return { key: 'v.required' };
  const value = Number(text);
  if (!Number.isInteger(value)) return { key: 'v.wholeNumber' };
  if (value < min) return { key: 'v.min', params: { min } };
  if (value > max) return { key: 'v.max', params: { max } };
  return undefined;
}

/** Keeps only the fields that have a problem. */
export function collect(entries: Record<string, Problem | undefined>): Problems {
  return Object.fromEntries(Object.entries(entries).filter((entry): entry is [string, Problem] => entry[1] !== undefined));
}
