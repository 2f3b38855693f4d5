import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_ORG_UNITS } from '#domain';
import { OrgFileError } from './errors.js';
import { demoOrgFile, loadOrgTree, loadOrgUnits } from './org.js';

describe('loadOrgUnits', () => {
  let dir: string;
  let n = 0;
  /** Writes `content` (text as is, anything else as JSON) to a new file and returns its path. */
  const file = async (content: unknown) => {
    const path = join(dir, `org-${++n}.json`);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const problemOf = async (path: string) => {
    const error = await loadOrgUnits(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrgFileError);
    expect((error as OrgFileError).message).toContain(path);
    expect((error as OrgFileError).file).toBe(path);
    return (error as OrgFileError).problem;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minyi-org-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the demo tree by default, equal to the domain demo units', async () => {
    const units = await loadOrgUnits();
    expect(units).toEqual(DEMO_ORG_UNITS);
    expect(units.map((u) => u.id).sort()).toEqual(
      ['sf', 'hd', 'hx', 'hd-dg', 'hd-ll', 'hx-xh', 'hx-ty', 'hd-dg-1', 'hd-ll-1', 'hx-xh-1', 'hx-ty-1', 'hd-dg-1-g1', 'hd-dg-1-g2', 'hx-xh-1-g1'].sort(),
    );
  });

  it('ships the demo tree as libs/accounts/data/demo-org.json, exactly DEMO_ORG_UNITS', async () => {
    const path = await demoOrgFile();
    expect(path.replaceAll('\\', '/')).toMatch(/libs\/accounts\/data\/demo-org\.json$/);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(DEMO_ORG_UNITS);
  });

  it('loads another valid file, keeping only the four fields', async () => {
    const path = await file([
      { id: 'c', name: '某市', level: 'city', parentId: null, note: 'ignored' },
      { id: 'c-1', name: '某区', level: 'county', parentId: 'c' },
    ]);
    expect(await loadOrgUnits(path)).toEqual([
      { id: 'c', name: '某市', level: 'city', parentId: null },
      { id: 'c-1', name: '某区', level: 'county', parentId: 'c' },
    ]);
    const tree = await loadOrgTree(path);
    expect(tree.root.id).toBe('c');
    expect(tree.isWithin('c-1', 'c')).toBe(true);
  });

  it('names an unreadable file', async () => {
    expect(await problemOf(join(dir, 'missing.json'))).toMatch(/cannot read it.*ENOENT/);
    expect(await problemOf(dir)).toMatch(/cannot read it/); // a directory
  });

  it('names a file that is not JSON', async () => {
    expect(await problemOf(await file('[{"id": "sf",'))).toMatch(/not valid JSON/);
    expect(await problemOf(await file(''))).toMatch(/not valid JSON/);
  });

  it('names a file that is not a list of units', async () => {
    expect(await problemOf(await file({ units: [] }))).toMatch(/JSON array of units/);
    expect(await problemOf(await file([]))).toMatch(/no units/);
    expect(await problemOf(await file(['sf']))).toMatch(/unit #1 is not an object/);
  });

  it('names the unit and the field that is missing or wrong', async () => {
    const root = { id: 'sf', name: '示范市', level: 'city', parentId: null };
    expect(await problemOf(await file([root, { id: 'hd', level: 'county', parentId: 'sf' }]))).toBe('unit #2 ("hd") has no "name"');
    expect(await problemOf(await file([{ id: 'sf', name: '示范市', level: 'city' }]))).toBe('unit #1 ("sf") has no "parentId"');
    expect(await problemOf(await file([root, { name: '河东区', level: 'county', parentId: 'sf' }]))).toBe('unit #2 has no "id"');
    expect(await problemOf(await file([root, { id: 'hd', name: '', level: 'county', parentId: 'sf' }]))).toMatch(/unit #2 \("hd"\): "name"/);
    expect(await problemOf(await file([root, { id: 'hd', name: '河东区', level: 'district', parentId: 'sf' }]))).toMatch(
      /unit #2 \("hd"\): "level" is "district"; it must be one of city, county, town, community, grid/,
    );
    expect(await problemOf(await file([root, { id: 'hd', name: '河东区', level: 'county', parentId: 7 }]))).toMatch(/"parentId" must be/);
  });

  it('names an unknown parent', async () => {
    const path = await file([
      { id: 'sf', name: '示范市', level: 'city', parentId: null },
      { id: 'hd', name: '河东区', level: 'county', parentId: 'nowhere' },
    ]);
    expect(await problemOf(path)).toMatch(/hd.*nowhere/);
  });

  it('refuses duplicate ids, two roots, a cycle and a unit above its parent', async () => {
    const root = { id: 'sf', name: '示范市', level: 'city', parentId: null };
    expect(await problemOf(await file([root, { ...root }]))).toMatch(/sf.*more than one unit/);
    expect(await problemOf(await file([root, { ...root, id: 'sf2' }]))).toMatch(/more than one root/);
    expect(
      await problemOf(
        await file([
          root,
          { id: 'a', name: 'A', level: 'county', parentId: 'b' },
          { id: 'b', name: 'B', level: 'town', parentId: 'a' },
        ]),
      ),
    ).toMatch(/cycle/);
    expect(await problemOf(await file([root, { id: 'hd', name: '河东区', level: 'city', parentId: 'sf' }]))).toMatch(/lower level/);
  });
});
