import type { CliContext } from './cli-context.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The id of the case a command names: an id is taken as it is (its stream says whether the case
 * exists), a number is looked up in the case read model. Null when no case has that number.
 */
export async function caseIdFor(context: CliContext, reference: string): Promise<string | null> {
  if (UUID.test(reference)) return reference.toLowerCase();
  return (await context.directory.byNumber(reference))?.id ?? null;
}

/** The message of a command that names no case. */
export function noCase(reference: string): string {
  return `no case ${reference}`;
}
