import { access, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DomainError, ORG_LEVELS, OrgTree, type OrgLevel, type OrgUnit } from '#domain';
import { OrgFileError } from './errors.js';

/**
 * The org tree from a JSON file: an array of `{ id, name, level, parentId }` (parentId null for
 * the root). By default the demo tree that ships in libs/accounts/data/demo-org.json; the caller
 * passes MINYI_ORG_FILE to choose another. Any problem stops start-up with an OrgFileError
 * whose message names the file and the problem.
 */

/** Where the demo tree lies: beside the sources, or (from the build in dist/) in the repository. */
const DEMO_ORG_FILE_CANDIDATES = [
  new URL('../data/demo-org.json', import.meta.url),
  new URL('../../../../libs/accounts/data/demo-org.json', import.meta.url),
].map((url) => fileURLToPath(url));

/** The path of the demo org file shipped in the repository. */
export async function demoOrgFile(): Promise<string> {
  for (const candidate of DEMO_ORG_FILE_CANDIDATES) {
    try {
      await access(candidate);
      return candidate;
    } catch {
      // try the next place
    }
  }
  throw new OrgFileError(DEMO_ORG_FILE_CANDIDATES[0]!, 'the demo org file is missing from this installation');
}

function whereIs(index: number, raw: Record<string, unknown>): string {
  return typeof raw.id === 'string' && raw.id !== '' ? `unit #${index + 1} (${JSON.stringify(raw.id)})` : `unit #${index + 1}`;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** Checks one entry's shape and keeps only the four fields. */
function readUnit(file: string, index: number, value: unknown): OrgUnit {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new OrgFileError(file, `unit #${index + 1} is not an object { id, name, level, parentId }`);
  }
  const raw = value as Record<string, unknown>;
  const where = whereIs(index, raw);
  for (const field of ['id', 'name', 'level', 'parentId'] as const) {
    if (!(field in raw)) throw new OrgFileError(file, `${where} has no "${field}"`);
  }
  if (!nonEmptyString(raw.id)) throw new OrgFileError(file, `${where}: "id" must be a non-empty string`);
  if (!nonEmptyString(raw.name)) throw new OrgFileError(file, `${where}: "name" must be a non-empty string`);
  if (!(ORG_LEVELS as readonly unknown[]).includes(raw.level)) {
    throw new OrgFileError(file, `${where}: "level" is ${JSON.stringify(raw.level)}; it must be one of ${ORG_LEVELS.join(', ')}`);
  }
  if (raw.parentId !== null && !nonEmptyString(raw.parentId)) {
    throw new OrgFileError(file, `${where}: "parentId" must be a unit id, or null for the root`);
  }
  return { id: raw.id, name: raw.name, level: raw.level as OrgLevel, parentId: raw.parentId };
}

/** Loads and validates the org units of a file (the demo tree when no path is given). */
export async function loadOrgUnits(path?: string): Promise<OrgUnit[]> {
  const file = path ?? (await demoOrgFile());
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new OrgFileError(file, `cannot read it (${(error as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new OrgFileError(file, `it is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(data)) throw new OrgFileError(file, 'it must hold a JSON array of units { id, name, level, parentId }');
  if (data.length === 0) throw new OrgFileError(file, 'it holds no units');
  const units = data.map((value, index) => readUnit(file, index, value));
  try {
    new OrgTree(units);
  } catch (error) {
    if (error instanceof DomainError) throw new OrgFileError(file, error.message);
    throw error;
  }
  return units;
}

/** The org tree of a file (the demo tree when no path is given). */
export async function loadOrgTree(path?: string): Promise<OrgTree> {
  return new OrgTree(await loadOrgUnits(path));
}
