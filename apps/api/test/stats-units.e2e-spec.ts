import { describe, expect, it, jest } from '@jest/globals';
import { lockKey } from '#database';
import { MAX_RECOMPUTED_CASES } from '#reporting';
import { MIN_POSITION_WAIT_MS } from '../src/http/read-your-writes.js';
import { RANKING_RECOMPUTE_LOCK } from '../src/stats/units.controller.js';
import { Api, expectError, expectFieldError, type Filed } from './support/api.js';
import { useTestApp, type TestApp } from './support/test-app.js';

jest.setTimeout(60_000);

const NOVEMBER = 'from=2026-11-01&to=2026-12-01';
const EQUAL_WEIGHTS = { responseRate: 0.25, resolutionRate: 0.25, satisfactionRate: 0.25, onTimeRate: 0.25 };

/**
 * The cases of the scenario, filed on Monday 2 November 2026 at 09:00 in Shanghai and handled
 * within the hour, so every clock is met:
 *
 * | case | unit    | kind      | what happens                                  |
 * | ---- | ------- | --------- | --------------------------------------------- |
 * | A    | hd-dg-1 | dispute   | accepted, resolved, satisfied                 |
 * | B    | hd-dg-1 | grievance | accepted                                      |
 * | C    | hx-xh-1 | dispute   | accepted, resolved, unsatisfied               |
 *
 * So hd (and hd-dg): response 2/2, resolution 1/2, satisfaction 1/1, on time 1/1 → 0.875;
 * hx (and hx-xh): 1/1, 1/1, 0/1, 1/1 → 0.75; hd-ll, hx-ty: nothing filed.
 */
describe('GET /api/v1/stats/units', () => {
  let t: TestApp;
  let api: Api;
  let lastPosition = 0;
  const cases: Record<string, Filed> = {};

  const file = async (name: string, kind: string, unitId: string, by: string) => {
    cases[name] = await api.file({ kind, unitId, title: `排名用例${name}` }, by);
    lastPosition = Math.max(lastPosition, cases[name].position);
  };
  const act = async (by: string, name: string, action: string, body?: Record<string, unknown>) => {
    lastPosition = Math.max(lastPosition, (await api.must(by, cases[name]!.id, action, body)).position);
  };
  const units = async (user: string, query = '') => {
    const response = await api.get(user, `/api/v1/stats/units?minPosition=${lastPosition}&${query}`);
    expect({ status: response.status, consistency: response.headers['x-minyi-consistency'] }).toEqual({ status: 200, consistency: 'caught-up' });
    return response.body;
  };

  useTestApp(async (app) => {
    t = app;
    api = new Api(app);
    await file('A', 'dispute', 'hd-dg-1', 'hd-dg-1.clerk');
    await file('B', 'grievance', 'hd-dg-1', 'hd-dg-1.clerk');
    await file('C', 'dispute', 'hx-xh-1', 'hx-xh-1.clerk');
    t.advance(10 * 60_000);
    await act('hd-dg-1.coordinator', 'A', 'accept');
    await act('hd-dg-1.coordinator', 'B', 'accept');
    await act('hx-xh-1.coordinator', 'C', 'accept');
    t.advance(10 * 60_000);
    await act('hd-dg-1.coordinator', 'A', 'resolve', { outcome: 'mediated', summary: '已调解' });
    await act('hx-xh-1.coordinator', 'C', 'resolve', { outcome: 'mediated', summary: '已调解' });
    t.advance(10 * 60_000);
    await act('hd-dg-1.coordinator', 'A', 'feedback', { satisfaction: 'satisfied', comment: '回访' });
    await act('hx-xh-1.coordinator', 'C', 'feedback', { satisfaction: 'unsatisfied', comment: '回访' });
  });

  it('ranks the parent’s children by their weighted rates, each over its subtree, and names the log point', async () => {
    const ranking = await units('city.leader', NOVEMBER);
    expect(ranking).toEqual({
      parentId: 'sf',
      from: '2026-11-01T00:00:00+08:00',
      to: '2026-12-01T00:00:00+08:00',
      position: lastPosition,
      anchor: expect.stringMatching(/^[0-9a-f]{64}$/),
      weights: EQUAL_WEIGHTS,
      units: [
        { unitId: 'hd', name: '河东区', filed: 2, responseRate: 1, resolutionRate: 0.5, satisfactionRate: 1, onTimeRate: 1, score: 0.875, rank: 1 },
        { unitId: 'hx', name: '河西区', filed: 1, responseRate: 1, resolutionRate: 1, satisfactionRate: 0, onTimeRate: 1, score: 0.75, rank: 2 },
      ],
    });
    // The anchor is the hash of the event at that position: C's feedback, the last event of the log.
    const { events } = (await api.get('auditor', `/api/v1/cases/${cases.C!.id}/history`)).body as { events: { position: number; hash: string }[] };
    expect(events.at(-1)).toMatchObject({ position: ranking.position, hash: ranking.anchor });
  });

  it('counts a child with nothing filed at its siblings’ mean rates, so that it ties with them (1, 1), listed by unit id', async () => {
    const ranking = await units('hd.leader', NOVEMBER);
    expect(ranking.parentId).toBe('hd'); // the reader's unit by default
    expect(ranking.units).toEqual([
      { unitId: 'hd-dg', name: '东关街道', filed: 2, responseRate: 1, resolutionRate: 0.5, satisfactionRate: 1, onTimeRate: 1, score: 0.875, rank: 1 },
      { unitId: 'hd-ll', name: '柳林镇', filed: 0, responseRate: null, resolutionRate: null, satisfactionRate: null, onTimeRate: null, score: 0.875, rank: 1 },
    ]);
    // A unit without children ranks nothing; a period without cases scores every child 0.
    expect((await units('hd-dg-1.coordinator', `parentId=hd-dg-1-g1&${NOVEMBER}`)).units).toEqual([]);
    expect((await units('auditor', 'parentId=hx&from=2025-01-01&to=2025-02-01')).units.map((row: { unitId: string; score: number; rank: number }) => [row.unitId, row.score, row.rank])).toEqual([
      ['hx-ty', 0, 1],
      ['hx-xh', 0, 1],
    ]);
  });

  it('tries other weights when asked, naming them in the answer; the rates left out keep the policy’s', async () => {
    const satisfactionOnly = await units('city.leader', `${NOVEMBER}&weights=responseRate:0,resolutionRate:0,satisfactionRate:1,onTimeRate:0`);
    expect(satisfactionOnly.weights).toEqual({ responseRate: 0, resolutionRate: 0, satisfactionRate: 1, onTimeRate: 0 });
    expect(satisfactionOnly.units.map((row: { unitId: string; score: number; rank: number }) => [row.unitId, row.score, row.rank])).toEqual([
      ['hd', 1, 1],
      ['hx', 0, 2],
    ]);
    const resolutionHeavy = await units('city.leader', `${NOVEMBER}&weights=resolutionRate:2.25`);
    expect(resolutionHeavy.weights).toEqual({ ...EQUAL_WEIGHTS, resolutionRate: 2.25 });
    // hd: (0.25 × 3 + 2.25 × 0.5) / 3 = 0.625; hx: (0.25 × 2 + 2.25) / 3 = 0.916…
    expect(resolutionHeavy.units.map((row: { unitId: string; score: number; rank: number }) => [row.unitId, row.score, row.rank])).toEqual([
      ['hx', 0.916666667, 1],
      ['hd', 0.625, 2],
    ]);
  });

  describe('who may ask what', () => {
    it('refuses a clerk, a parent outside the reader’s subtree, and answers an unknown parent with 404', async () => {
      expectError(await api.get('hd-dg-1.clerk', '/api/v1/stats/units'), 403, 'forbidden');
      expectError(await api.get('hd-dg-1.coordinator', '/api/v1/stats/units?parentId=hd-dg'), 403, 'forbidden');
      expectError(await api.get('hd.leader', '/api/v1/stats/units?parentId=hx'), 403, 'forbidden');
      expectError(await api.get('hd.leader', `/api/v1/stats/units?parentId=sf&position=${lastPosition}`), 403, 'forbidden');
      expectError(await api.get('auditor', '/api/v1/stats/units?parentId=nowhere'), 404, 'not_found');
    });

    it('lets coordinators, leaders, auditors and admins read within their subtree', async () => {
      for (const [user, parentId] of [['hd-dg-1.coordinator', 'hd-dg-1'], ['hd-dg.leader', 'hd-dg'], ['auditor', 'hx'], ['admin', 'sf']]) {
        const response = await api.get(user!, `/api/v1/stats/units?parentId=${parentId}`);
        expect({ user, status: response.status, parentId: response.body.parentId }).toEqual({ user, status: 200, parentId });
      }
    });

    it.each([
      ['position=-1', 'position'],
      ['position=soon', 'position'],
      ['position=1.5', 'position'],
      ['position=999999', 'position'],
      ['weights=fast', 'weights'],
      ['weights=speed:1', 'weights.speed'],
      ['weights=onTimeRate:-1', 'weights.onTimeRate'],
      ['weights=onTimeRate:lots', 'weights.onTimeRate'],
      ['weights=onTimeRate:1,onTimeRate:2', 'weights.onTimeRate'],
      ['weights=responseRate:0,resolutionRate:0,satisfactionRate:0,onTimeRate:0', 'weights'],
      ['from=yesterday', 'from'],
      ['from=2026-12-01&to=2026-11-01', 'from'],
      ['parentId=%20', 'parentId'],
      ['minPosition=-1', 'minPosition'],
      ['unitId=hd', 'unitId'],
    ])('answers ?%s with 400 naming %s', async (query, field) => {
      expectFieldError(await api.get('city.leader', `/api/v1/stats/units?${query}`), field);
    });

    it('refuses a position no event has at once, without the wait a position the statistics have not reached gets', async () => {
      const started = Date.now();
      const response = await api.get('city.leader', `/api/v1/stats/units?${NOVEMBER}&position=${lastPosition + 1000}`);
      expectFieldError(response, 'position');
      expect(response.body.message).toContain('no event has global position');
      expect(Date.now() - started).toBeLessThan(MIN_POSITION_WAIT_MS / 2);
    });

    it('needs a token', async () => {
      expectError(await t.http().get('/api/v1/stats/units'), 401);
    });

    it('is documented in the OpenAPI description', async () => {
      const { paths } = (await t.http().get('/api/docs-json').expect(200)).body as { paths: Record<string, { get?: { parameters: { name: string }[] } }> };
      expect(paths['/api/v1/stats/units']?.get?.parameters.map((parameter) => parameter.name).sort()).toEqual(['format', 'from', 'minPosition', 'parentId', 'position', 'to', 'weights']);
    });
  });

  it('computes a ranking again at its position, events after it ignored, exactly as it was first answered', async () => {
    const first = await units('city.leader', NOVEMBER);
    expect(await units('city.leader', `${NOVEMBER}&position=${first.position}`)).toEqual(first);

    // B is resolved and a new case filed in hx: hd now resolves everything it accepted.
    t.advance(10 * 60_000);
    await act('hd-dg-1.coordinator', 'B', 'resolve', { outcome: 'resolved', summary: '已办理' });
    await file('D', 'risk', 'hx-xh-1', 'hx-xh-1.clerk');
    const second = await units('city.leader', NOVEMBER);
    expect(second.position).toBe(lastPosition);
    expect(second.anchor).not.toBe(first.anchor);
    expect(second.units).toEqual([
      { unitId: 'hd', name: '河东区', filed: 2, responseRate: 1, resolutionRate: 1, satisfactionRate: 1, onTimeRate: 1, score: 1, rank: 1 },
      { unitId: 'hx', name: '河西区', filed: 2, responseRate: 1, resolutionRate: 1, satisfactionRate: 0, onTimeRate: 1, score: 0.75, rank: 2 },
    ]);

    expect(await units('city.leader', `${NOVEMBER}&position=${first.position}`)).toEqual(first);
    expect(await units('city.leader', `${NOVEMBER}&position=${second.position}`)).toEqual(second);
    // Between the two: B resolved, D not yet filed.
    const between = await units('city.leader', `${NOVEMBER}&position=${second.position - 1}`);
    expect(between.units.map((row: { unitId: string; filed: number; resolutionRate: number }) => [row.unitId, row.filed, row.resolutionRate])).toEqual([
      ['hd', 2, 1],
      ['hx', 1, 1],
    ]);
    // Position 0, before the first event, counts nothing and names no event.
    const origin = await units('city.leader', `${NOVEMBER}&position=0`);
    expect({ position: origin.position, anchor: origin.anchor, filed: origin.units.map((row: { filed: number }) => row.filed) }).toEqual({ position: 0, anchor: null, filed: [0, 0] });
    // A position taken when only A was filed counts A alone.
    const onlyA = await units('city.leader', `${NOVEMBER}&position=${cases.A!.position}`);
    expect(onlyA.units.map((row: { unitId: string; filed: number }) => [row.unitId, row.filed])).toEqual([
      ['hd', 1],
      ['hx', 0],
    ]);
  });

  it('refuses a position the statistics have not reached within the wait, naming it', async () => {
    await t.engine.projections.stop();
    try {
      await file('E', 'dispute', 'hd-dg-1', 'hd-dg-1.clerk');
      const response = await api.get('city.leader', `/api/v1/stats/units?${NOVEMBER}&position=${cases.E!.position}`);
      expectFieldError(response, 'position');
      expect(response.body.message).toContain('beyond the log point the statistics have reached');
    } finally {
      await t.engine.projections.start();
    }
    expect(await units('city.leader', `${NOVEMBER}&position=${cases.E!.position}`)).toMatchObject({ position: cases.E!.position });
  });

  it('computes one ranking at a position at a time per installation: another answers 429 busy with Retry-After, the live ranking still answers', async () => {
    // Another process of the installation computing one: it holds the lock.
    const holder = await t.engine.pool.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [lockKey(RANKING_RECOMPUTE_LOCK)]);
      const refused = await api.get('city.leader', `/api/v1/stats/units?${NOVEMBER}&position=${lastPosition}`);
      expectError(refused, 429, 'busy');
      expect(refused.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      expect(refused.body.message).toMatch(/already being computed.*one runs at a time/);
      expect((await units('city.leader', NOVEMBER)).position).toBe(lastPosition);
    } finally {
      await holder.query('SELECT pg_advisory_unlock($1)', [lockKey(RANKING_RECOMPUTE_LOCK)]);
      holder.release();
    }
    expect(await units('city.leader', `${NOVEMBER}&position=${lastPosition}`)).toMatchObject({ position: lastPosition });
  });

  it(`refuses, naming position and the cap, a ranking at a position over more than ${MAX_RECOMPUTED_CASES} cases, before reading any case's events (run last: it fills the read model)`, async () => {
    // Rows of cases without events: only the count of candidates reads them.
    await t.engine.pool.query(
      `INSERT INTO case_stats (case_id, number, kind, filed_unit_id, filed_by, filed_at, accepted, accepted_on_time, accept_breached, resolved,
                               resolved_on_time, annotated, feedback_count, units_visited, revision, state, clocks)
       SELECT gen_random_uuid(), 'CAP-' || n, 'risk', 'hx-ty-1', 'hx-ty-1.clerk', '2020-01-15T00:00:00Z', false, false, false, false,
              false, false, 0, ARRAY['hx-ty-1'], 0, '{}', '{}'
         FROM generate_series(1, $1::int) n`,
      [MAX_RECOMPUTED_CASES + 1],
    );
    const january2020 = 'from=2020-01-01&to=2020-02-01';
    for (const parentId of ['sf', 'hx']) {
      const refused = await api.get('city.leader', `/api/v1/stats/units?parentId=${parentId}&${january2020}&position=${lastPosition}`);
      expectFieldError(refused, 'position');
      expect(refused.body.message).toContain(`at most ${MAX_RECOMPUTED_CASES} cases`);
    }
    // The live ranking, off the read model, counts them all.
    expect((await units('city.leader', `parentId=hx&${january2020}`)).units.map((row: { unitId: string; filed: number }) => [row.unitId, row.filed])).toEqual([
      ['hx-ty', MAX_RECOMPUTED_CASES + 1],
      ['hx-xh', 0],
    ]);
  });
});
