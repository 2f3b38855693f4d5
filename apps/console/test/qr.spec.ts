import { describe, expect, it } from '@jest/globals';
import { qrPath } from '../src/qr.js';

/** The dark modules a path draws, as "column,row". */
function dark(path: string): Set<string> {
  return new Set([...path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${m[1]},${m[2]}`));
}

describe('the receipt QR code', () => {
  it('draws one unit square per dark module, with the three finder patterns in their corners', () => {
    const link = 'https://minyi.example/track?number=MY-2026-000123&code=K7QM4XPR9TWD';
    const { size, path } = qrPath(link);
    expect((size - 17) % 4).toBe(0);
    expect(path).toMatch(/^(M\d+ \d+h1v1h-1z)+$/);
    const modules = dark(path);
    for (const [x, y] of [
      [0, 0],
      [size - 7, 0],
      [0, size - 7],
    ] as const) {
      // A finder pattern: a dark 7×7 ring, a light ring, a dark 3×3 centre.
      for (let i = 0; i < 7; i++) {
        expect(modules.has(`${x + i},${y}`)).toBe(true);
        expect(modules.has(`${x + i},${y + 6}`)).toBe(true);
      }
      expect(modules.has(`${x + 1},${y + 1}`)).toBe(false);
      expect(modules.has(`${x + 3},${y + 3}`)).toBe(true);
    }
  });

  it('is the same for the same link, and another for another', () => {
    expect(qrPath('https://a.example/track?number=1&code=2')).toEqual(qrPath('https://a.example/track?number=1&code=2'));
    expect(qrPath('https://a.example/track?number=1&code=3').path).not.toBe(qrPath('https://a.example/track?number=1&code=2').path);
  });
});
