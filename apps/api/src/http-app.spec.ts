import { describe, expect, it } from '@jest/globals';
import { loggedUrl } from './http-app.js';

describe('the request log', () => {
  it('keeps no access code or Open311 key, whatever their place or letter case in the query', () => {
    expect(loggedUrl('/api/v1/public/cases/MY-2026-000001?code=K7QM4XPR9TWD')).toBe('/api/v1/public/cases/MY-2026-000001?code=***');
    expect(loggedUrl('/track?number=MY-2026-000001&code=K7QM-4XPR&lang=en')).toBe('/track?number=MY-2026-000001&code=***&lang=en');
    expect(loggedUrl('/open311/v2/requests.json?API_KEY=secret&status=open')).toBe('/open311/v2/requests.json?API_KEY=***&status=open');
    expect(loggedUrl('/api/v1/cases?q=code=1')).toBe('/api/v1/cases?q=code=1');
  });
});
