import { beforeAll, describe, expect, it } from '@jest/globals';
import { Api, expectError, expectFieldError, type Filed } from './support/api.js';
import { useTestApp } from './support/test-app.js';

interface Item {
  id: string;
  title: string;
}

/** The cases of this file, all open unless said. */
const PARKING = { kind: 'dispute', title: '小区停车位纠纷', description: '业主与物业因停车位分配发生争执，请求社区调解。' };
const CORRIDOR = { kind: 'grievance', title: '楼道堆放杂物', description: '有人在楼道停车，电动车停放影响通行。' };
const GATE = { kind: 'suggestion', title: '东门停车位置混乱', description: '车辆乱停，建议划线。' };
const LAMP = { kind: 'suggestion', title: '建议增设路灯', description: '背街小巷照明不足。', unitId: 'hd-dg-1-g1' };

describe('search: q on the case list, and similar cases', () => {
  let api: Api;
  let parking: Filed;
  let corridor: Filed;
  let gate: Filed;
  let lamp: Filed;
  let closedTwin: string;
  let elsewhere: Filed;

  useTestApp((app) => {
    api = new Api(app);
  });

  beforeAll(async () => {
    parking = await api.file(PARKING);
    corridor = await api.file(CORRIDOR);
    gate = await api.file(GATE);
    lamp = await api.file(LAMP);
    // The same dispute filed again and since closed, and once more in another county.
    const closed = await api.caseIn('closed', 'hd-dg-1', PARKING);
    closedTwin = closed.id;
    elsewhere = await api.file({ ...PARKING, unitId: 'hx-xh-1' }, 'hx-xh-1.clerk');
    await api.caughtUp(Math.max(closed.position, elsewhere.position));
  });

  const search = async (user: string, q: string) => {
    const response = await api.get(user, `/api/v1/cases?q=${encodeURIComponent(q)}`);
    expect(response.status).toBe(200);
    return response.body as { items: Item[]; total: number };
  };
  const ids = (list: { items: Item[] }) => list.items.map((item) => item.id);

  describe('q', () => {
    it('finds a word inside a longer title, the cases that have it in the title before those with it in the description only', async () => {
      // The corridor and the gate were filed after the parking dispute: newest first would put them first.
      const found = await search('hd-dg-1.clerk', '停车');
      expect(ids(found).slice(0, 2).sort()).toEqual([parking.id, closedTwin].sort());
      expect(ids(found).slice(2)).toEqual([gate.id, corridor.id]);
      expect(found.total).toBe(4);
    });

    it('matches every word of the query, wherever it stands', async () => {
      expect(ids(await search('hd-dg-1.clerk', '物业 停车位')).sort()).toEqual([parking.id, closedTwin].sort());
      expect(ids(await search('hd-dg-1.clerk', '楼道杂物'))).toEqual([corridor.id]);
    });

    it('finds nothing for a word in no case', async () => {
      expect(await search('city.coordinator', '飞机场')).toMatchObject({ items: [], total: 0 });
      expect(await search('city.coordinator', '，。')).toMatchObject({ items: [], total: 0 });
    });

    it('finds a single character, or a substring jieba splits otherwise, as a substring', async () => {
      // 堆 is no word by itself; 车位置 is split 车 + 位置, while the gate's title was cut 停车 + 位置.
      expect(ids(await search('hd-dg-1.clerk', '堆'))).toEqual([corridor.id]);
      expect(ids(await search('hd-dg-1.clerk', '车位置'))).toEqual([gate.id]);
      expect(ids(await search('hd-dg-1.clerk', '照明不'))).toEqual([lamp.id]);
    });

    it('stays within the reader’s subtree', async () => {
      expect(ids(await search('hx-xh-1.clerk', '停车'))).toEqual([elsewhere.id]);
      expect(ids(await search('hd-dg-1.clerk', '停车'))).not.toContain(elsewhere.id);
      expect(ids(await search('city.coordinator', '停车'))).toContain(elsewhere.id);
    });
  });

  describe('GET /api/v1/cases/similar', () => {
    const similar = async (user: string, query: Record<string, string>) => api.get(user, `/api/v1/cases/similar?${new URLSearchParams(query).toString()}`);

    it('finds a re-worded duplicate first, with a high score, and no closed case', async () => {
      const response = await similar('hd-dg-1.clerk', { title: '小区里停车位的纠纷', description: '物业和业主因为停车位分配起了争执' });
      expect(response.status).toBe(200);
      const { items } = response.body as { items: { id: string; score: number }[] };
      expect(items[0]).toEqual({
        id: parking.id,
        number: parking.number,
        kind: 'dispute',
        title: PARKING.title,
        status: 'filed',
        unitId: 'hd-dg-1',
        createdAt: expect.any(String),
        score: expect.any(Number),
      });
      expect(items[0]!.score).toBeGreaterThan(0.8);
      expect(items[0]!.score).toBeLessThanOrEqual(1);
      expect(items.map((item) => item.id)).not.toContain(closedTwin);
      // Sharing only 停车 with the draft, the gate and corridor cases score far lower.
      for (const item of items.slice(1)) expect(item.score).toBeLessThan(0.3);
      expect(items.map((item) => item.score)).toEqual([...items.map((item) => item.score)].sort((a, b) => b - a));
    });

    it('never shows a case outside the reader’s subtree, nor outside the unit asked for', async () => {
      const draft = { title: PARKING.title, description: PARKING.description };
      const mine = (await similar('hd-dg-1.clerk', draft)).body.items.map((item: { id: string }) => item.id);
      expect(mine).not.toContain(elsewhere.id);
      const theirs = (await similar('hx-xh-1.clerk', draft)).body.items.map((item: { id: string }) => item.id);
      expect(theirs).toEqual([elsewhere.id]);
      const city = (await similar('city.coordinator', draft)).body.items.map((item: { id: string }) => item.id);
      expect(city).toEqual(expect.arrayContaining([parking.id, elsewhere.id]));
      // Within the grid, only the cases that have been there.
      expect((await similar('hd-dg-1.clerk', { ...draft, unitId: 'hd-dg-1-g1' })).body).toEqual({ items: [] });
      expect((await similar('hd-dg-1.clerk', { title: '路灯', unitId: 'hd-dg-1-g1' })).body.items.map((item: { id: string }) => item.id)).toEqual([lamp.id]);
    });

    it('answers no cases for a draft of stop words only', async () => {
      expect((await similar('hd-dg-1.clerk', { title: '反映问题，希望解决' })).body).toEqual({ items: [] });
    });

    it('refuses a bad draft naming the field, and a unit outside the reader’s scope', async () => {
      expectFieldError(await similar('hd-dg-1.clerk', {}), 'title');
      expectFieldError(await similar('hd-dg-1.clerk', { title: '   ' }), 'title');
      expectFieldError(await similar('hd-dg-1.clerk', { title: '停'.repeat(201) }), 'title');
      expectFieldError(await similar('hd-dg-1.clerk', { title: '停车', description: '停'.repeat(1001) }), 'description');
      expectError(await similar('hd-dg-1.clerk', { title: '停车', unitId: 'hx-xh-1' }), 403);
      expectError(await similar('hd-dg-1.clerk', { title: '停车', unitId: 'nowhere' }), 404);
      expectError(await api.t.http().get('/api/v1/cases/similar?title=x'), 401);
    });
  });
});
