import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SLA_POLICY } from '#domain';
import { loadSlaPolicy, SlaPolicyFileError } from './sla-policy-file.js';

describe('SLA_POLICY_FILE', () => {
  const dirs: string[] = [];
  const file = async (text: string) => {
    const dir = await mkdtemp(join(tmpdir(), 'minyi-sla-'));
    dirs.push(dir);
    await writeFile(join(dir, 'sla.json'), text);
    return join(dir, 'sla.json');
  };
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('is the default policy when unset', async () => {
    expect(await loadSlaPolicy(undefined)).toBe(DEFAULT_SLA_POLICY);
  });

  it('replaces the defaults with the file', async () => {
    const policy = await loadSlaPolicy(await file(JSON.stringify({ warnAt: 0.5, clocks: { accept: { default: { seconds: 60 } } } })));
    expect(policy.warnAt).toBe(0.5);
    expect(policy.clocks.accept.default).toEqual({ seconds: 60 });
  });

  it('reads the adoption points and ranking weights, each merged over the defaults', async () => {
    const policy = await loadSlaPolicy(await file(JSON.stringify({ adoptionPoints: { adopted: { city: 10 } }, rankingWeights: { satisfactionRate: 0.4 } })));
    expect(policy.adoptionPoints.adopted).toEqual({ ...DEFAULT_SLA_POLICY.adoptionPoints.adopted, city: 10 });
    expect(policy.adoptionPoints.annotated).toEqual(DEFAULT_SLA_POLICY.adoptionPoints.annotated);
    expect(policy.rankingWeights).toEqual({ responseRate: 0.25, resolutionRate: 0.25, satisfactionRate: 0.4, onTimeRate: 0.25 });
  });

  it.each([
    ['{"clocks":{"resolve":{"dispute":{"workingDays":0}}}}', 'clocks.resolve.dispute.workingDays'],
    ['{"warnAt":2}', 'warnAt'],
    ['{"clocks":{"lunch":{}}}', 'clocks.lunch'],
    ['{"rankingWeights":{"onTimeRate":-1}}', 'rankingWeights.onTimeRate: must be a number ≥ 0'],
    ['{"adoptionPoints":{"adopted":{"village":3}}}', 'adoptionPoints.adopted.village: unknown key'],
    ['{not json', 'is not JSON'],
  ])('stops start-up on %s, naming %s', async (text, named) => {
    const path = await file(text);
    const failure = loadSlaPolicy(path);
    await expect(failure).rejects.toBeInstanceOf(SlaPolicyFileError);
    await expect(failure).rejects.toThrow(named);
    await expect(failure).rejects.toThrow(path);
  });

  it('names a file that cannot be read', async () => {
    await expect(loadSlaPolicy('/nonexistent/sla.json')).rejects.toThrow('/nonexistent/sla.json: cannot be read');
  });
});
