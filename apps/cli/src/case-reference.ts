import type { CaseReader } from '#cases';
import { isUuid, NotFoundError } from '#domain';
import type { CliContext } from './cli-context.js';

/**
 * The id of the case a command names: an id is taken as it is (its stream says whether the case
 * exists), a number is looked up in the case read model. Null when no case has that number.
 */
export async function caseIdFor(context: CliContext, reference: string): Promise<string | null> {
  if (isUuid(reference)) return reference.toLowerCase();
  return (await context.directory.byNumber(reference))?.id ?? null;
}

/** The message of a command that names no case. */
export function noCase(reference: string): string {
  return `no case ${reference}`;
}

/** The case a command names, read by `read` (as the operator, who sees every case); null when there is no such case. */
export async function readNamedCase<T>(context: CliContext, reference: string, read: (reader: CaseReader, caseId: string) => Promise<T>): Promise<T | null> {
  const id = await caseIdFor(context, reference);
  if (id === null) return null;
  try {
    return await read(context.reader, id);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}
