import { beforeAll, describe, expect, it } from '@jest/globals';
import { Api, expectError, expectFieldError } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';

interface Hotspot {
  term: string;
  kind: string;
  unitId: string;
  count: number;
  previousCount: number;
}

const GRID = 'hd-dg-1-g1';
const PERIOD = 'from=2026-11-02&to=2026-11-04';

/**
 * The filings (Shanghai times), the topic terms jieba finds in each, and where they count for
 * PERIOD (2 and 3 November) and the two days before it:
 *
 * | filed       | unit     | kind      | title / description        | terms                 | counts for |
 * | ----------- | -------- | --------- | -------------------------- | --------------------- | ---------- |
 * | 11-01 09:00 | grid     | dispute   | 噪音扰民 / 广场舞噪音扰民  | 噪音 扰民 广场        | before     |
 * | 11-02 09:00 | grid     | dispute   | 噪音扰民 / 夜间施工噪音    | 噪音 扰民 夜间 施工   | period     |
 * | 11-02 09:00 | grid     | dispute   | 施工噪音 / 工地夜间施工    | 施工 噪音 工地 夜间   | period     |
 * | 11-02 09:00 | hd-dg-1  | grievance | 小区停车位纠纷 / 停车位不足 | 小区 停车位 纠纷 不足 | period     |
 * | 11-02 09:00 | hd-dg    | dispute   | 施工噪音 / 工地夜间施工    | 施工 噪音 工地 夜间   | period, at the town it was filed at |
 * | 11-02 09:00 | hx-xh-1  | dispute   | 噪音扰民 / 夜间施工噪音    |                       | outside hd |
 * | 11-03 23:30 | grid     | grievance | 噪音扰民 / 夜间噪音        | 噪音 扰民 夜间        | period     |
 * | 11-04 00:30 | grid     | dispute   | 噪音扰民 / 噪音            |                       | after      |
 */
const EXPECTED: Hotspot[] = [
  { term: '噪音', kind: 'dispute', unitId: GRID, count: 2, previousCount: 1 },
  { term: '扰民', kind: 'dispute', unitId: GRID, count: 1, previousCount: 1 },
  { term: '夜间', kind: 'dispute', unitId: GRID, count: 2, previousCount: 0 },
  { term: '施工', kind: 'dispute', unitId: GRID, count: 2, previousCount: 0 },
  { term: '工地', kind: 'dispute', unitId: GRID, count: 1, previousCount: 0 },
  { term: '噪音', kind: 'grievance', unitId: GRID, count: 1, previousCount: 0 },
  { term: '扰民', kind: 'grievance', unitId: GRID, count: 1, previousCount: 0 },
  { term: '夜间', kind: 'grievance', unitId: GRID, count: 1, previousCount: 0 },
  { term: '小区', kind: 'grievance', unitId: 'hd-dg-1', count: 1, previousCount: 0 },
  { term: '停车位', kind: 'grievance', unitId: 'hd-dg-1', count: 1, previousCount: 0 },
  { term: '纠纷', kind: 'grievance', unitId: 'hd-dg-1', count: 1, previousCount: 0 },
  { term: '不足', kind: 'grievance', unitId: 'hd-dg-1', count: 1, previousCount: 0 },
  { term: '施工', kind: 'dispute', unitId: 'hd-dg', count: 1, previousCount: 0 },
  { term: '噪音', kind: 'dispute', unitId: 'hd-dg', count: 1, previousCount: 0 },
  { term: '工地', kind: 'dispute', unitId: 'hd-dg', count: 1, previousCount: 0 },
  { term: '夜间', kind: 'dispute', unitId: 'hd-dg', count: 1, previousCount: 0 },
];

/** Most cases first, then by term, unit and kind (code point order, as the database's C collation). */
function ranked(items: Hotspot[]): Hotspot[] {
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...items].sort((a, b) => b.count - a.count || order(a.term, b.term) || order(a.unitId, b.unitId) || order(a.kind, b.kind));
}

describe('GET /api/v1/stats/hotspots', () => {
  let t: TestApp;
  let api: Api;
  let lastPosition = 0;

  useTestApp(
    (app) => {
      t = app;
      api = new Api(app);
    },
    { start: new Date('2026-11-01T09:00:00+08:00') },
  );

  const file = async (unitId: string, kind: string, title: string, description: string, by = 'hd-dg-1.clerk') => {
    const filed = await api.file({ unitId, kind, title, description }, by);
    lastPosition = Math.max(lastPosition, filed.position);
  };
  const setClock = (time: string) => {
    const ms = Date.parse(`${time}+08:00`) - t.now().getTime();
    expect(ms).toBeGreaterThanOrEqual(0);
    t.advance(ms);
  };
  const hotspots = async (user: string, query: string) => {
    const response = await api.get(user, `/api/v1/stats/hotspots?minPosition=${lastPosition}&${query}`);
    expect({ status: response.status, consistency: response.headers['x-minyi-consistency'] }).toEqual({ status: 200, consistency: 'caught-up' });
    return response.body.items as Hotspot[];
  };

  beforeAll(async () => {
    await file(GRID, 'dispute', '噪音扰民', '广场舞噪音扰民');
    setClock('2026-11-02T09:00:00');
    await file(GRID, 'dispute', '噪音扰民', '夜间施工噪音');
    await file(GRID, 'dispute', '施工噪音', '工地夜间施工');
    await file('hd-dg-1', 'grievance', '小区停车位纠纷', '停车位不足');
    await file('hd-dg', 'dispute', '施工噪音', '工地夜间施工', 'hd-dg.coordinator');
    await file('hx-xh-1', 'dispute', '噪音扰民', '夜间施工噪音', 'hx-xh-1.clerk');
    setClock('2026-11-03T23:30:00');
    await file(GRID, 'grievance', '噪音扰民', '夜间噪音');
    setClock('2026-11-04T00:30:00');
    await file(GRID, 'dispute', '噪音扰民', '噪音');
  });

  it('counts the terms of the period’s cases by filing unit and kind, against the days just before', async () => {
    expect(await hotspots('hd.coordinator', `unitId=hd&${PERIOD}&limit=100`)).toEqual(ranked(EXPECTED));
  });

  it('answers the top 20 by default, and `limit` of them when asked', async () => {
    expect(await hotspots('hd.leader', `unitId=hd&${PERIOD}`)).toEqual(ranked(EXPECTED));
    expect(await hotspots('hd.leader', `unitId=hd&${PERIOD}&limit=3`)).toEqual(ranked(EXPECTED).slice(0, 3));
  });

  it('counts whole days: times within the first and last day change nothing', async () => {
    const midday = `unitId=hd&from=${encodeURIComponent('2026-11-02T12:00:00+08:00')}&to=${encodeURIComponent('2026-11-03T23:59:00+08:00')}&limit=100`;
    expect(await hotspots('auditor', midday)).toEqual(ranked(EXPECTED));
  });

  it('covers the unit’s subtree only', async () => {
    expect(await hotspots('hd-dg-1.coordinator', `${PERIOD}&limit=100`)).toEqual(ranked(EXPECTED.filter((item) => item.unitId !== 'hd-dg')));
    expect(await hotspots('hd.coordinator', `unitId=${GRID}&${PERIOD}&limit=100`)).toEqual(ranked(EXPECTED.filter((item) => item.unitId === GRID)));
    const hx = await hotspots('city.coordinator', `unitId=hx&${PERIOD}`);
    expect(hx.map((item) => item.unitId)).toEqual(['hx-xh-1', 'hx-xh-1', 'hx-xh-1', 'hx-xh-1']);
    expect(hx.find((item) => item.term === '噪音')).toEqual({ term: '噪音', kind: 'dispute', unitId: 'hx-xh-1', count: 1, previousCount: 0 });
  });

  it('answers nothing for a period without cases', async () => {
    expect(await hotspots('hd.coordinator', 'unitId=hd&from=2026-10-01&to=2026-10-31')).toEqual([]);
  });

  it('refuses readers without a reporting role, units outside their subtree, and bad queries, naming the field', async () => {
    expectError(await api.get('hd-dg-1.clerk', `/api/v1/stats/hotspots?${PERIOD}`), 403);
    expectError(await api.get('hd-dg-1.coordinator', `/api/v1/stats/hotspots?unitId=hd&${PERIOD}`), 403);
    expectError(await api.get('hx-xh-1.coordinator', `/api/v1/stats/hotspots?unitId=${GRID}&${PERIOD}`), 403);
    expectError(await api.get('hd.coordinator', `/api/v1/stats/hotspots?unitId=nowhere&${PERIOD}`), 404);
    expectFieldError(await api.get('hd.coordinator', '/api/v1/stats/hotspots?from=yesterday'), 'from');
    expectFieldError(await api.get('hd.coordinator', '/api/v1/stats/hotspots?from=2026-11-04&to=2026-11-02'), 'from');
    expectFieldError(await api.get('hd.coordinator', `/api/v1/stats/hotspots?${PERIOD}&limit=0`), 'limit');
    expectFieldError(await api.get('hd.coordinator', `/api/v1/stats/hotspots?${PERIOD}&limit=101`), 'limit');
    expectFieldError(await api.get('hd.coordinator', `/api/v1/stats/hotspots?${PERIOD}&limit=ten`), 'limit');
    expectError(await t.http().get(`/api/v1/stats/hotspots?${PERIOD}`), 401);
  });
});
