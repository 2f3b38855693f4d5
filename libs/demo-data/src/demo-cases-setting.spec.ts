import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '#platform';

/** MINYI_DEMO_CASES: how many demo cases the first start with demo data seeds. */
describe('the demo cases setting', () => {
  const server = { DATABASE_URL: 'postgres://localhost/minyi' };

  it('is 500 on an embedded start, and none without demo data whatever it says', () => {
    expect(loadConfig({}).demoCases).toBe(500);
    expect(loadConfig({ ...server }).demoCases).toBe(0);
    expect(loadConfig({ ...server, MINYI_DEMO_CASES: '200' }).demoCases).toBe(0);
    expect(loadConfig({ MINYI_DEMO: '0', MINYI_DEMO_CASES: '200' }).demoCases).toBe(0);
  });

  it('is none by default on a configured server with demo accounts, and what it says when given', () => {
    expect(loadConfig({ ...server, MINYI_DEMO: '1' }).demoCases).toBe(0);
    expect(loadConfig({ ...server, MINYI_DEMO: '1', MINYI_DEMO_CASES: '300' }).demoCases).toBe(300);
  });

  it('takes a count, 0 for none', () => {
    expect(loadConfig({ MINYI_DEMO_CASES: '0' }).demoCases).toBe(0);
    expect(loadConfig({ MINYI_DEMO_CASES: ' 1200 ' }).demoCases).toBe(1200);
  });

  it.each(['-1', '12.5', 'many', '5001', '1e3'])('refuses %p, naming the setting', (value) => {
    expect(() => loadConfig({ MINYI_DEMO_CASES: value })).toThrow(ConfigError);
    expect(() => loadConfig({ MINYI_DEMO_CASES: value })).toThrow(/^configuration MINYI_DEMO_CASES: .* is not a whole number from 0 \(no demo cases\) to 5000$/);
  });
});
