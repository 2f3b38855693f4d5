import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './config.js';

/** PROJECTION_LANES: how many lanes each projection that may runs in. */
describe('the projection lanes setting', () => {
  it('is one lane unless given', () => {
    expect(loadConfig({}).projectionLanes).toBe(1);
    expect(loadConfig({ PROJECTION_LANES: ' ' }).projectionLanes).toBe(1);
    expect(loadConfig({ PROJECTION_LANES: '4' }).projectionLanes).toBe(4);
    expect(loadConfig({ PROJECTION_LANES: '64' }).projectionLanes).toBe(64);
  });

  it.each(['0', '65', '-2', '2.5', 'four'])('refuses %p, naming the setting', (value) => {
    expect(() => loadConfig({ PROJECTION_LANES: value })).toThrow(ConfigError);
    expect(() => loadConfig({ PROJECTION_LANES: value })).toThrow(/^configuration PROJECTION_LANES: ".*" is not a whole number of lanes from 1 to 64$/);
  });
});
