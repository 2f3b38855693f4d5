import { readFile } from 'node:fs/promises';
import { DEFAULT_SLA_POLICY, DomainError, parseSlaPolicy, type SlaPolicy } from '#domain';

export class SlaPolicyFileError extends Error {
  constructor(file: string, problem: string) {
    super(`SLA policy file ${file}: ${problem}`);
    this.name = 'SlaPolicyFileError';
  }
}

/** The SLA policy: DESIGN.md's defaults, or SLA_POLICY_FILE's (a bad file stops start-up, naming the key). */
export async function loadSlaPolicy(file: string | undefined): Promise<SlaPolicy> {
  if (!file) return DEFAULT_SLA_POLICY;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SlaPolicyFileError(file, `cannot be read (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SlaPolicyFileError(file, `is not JSON (${(error as Error).message})`);
  }
  try {
    return parseSlaPolicy(json);
  } catch (error) {
    if (error instanceof DomainError) throw new SlaPolicyFileError(file, error.message);
    throw error;
  }
}
