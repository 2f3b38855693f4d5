import { describe, expect, it, jest } from '@jest/globals';
import { CaseCommands } from '#cases';
import type { AdoptionKind, AdoptionLevel } from '#domain';
import { SLA_QUEUE, dueSecond, slaJobId, type SlaTimerJob } from '#sla';
import { eventually } from '#testing';
import { Api, expectError, expectFieldError, type Filed } from './support/api.js';
import { DEMO_PASSWORD, useTestApp, type TestApp } from './support/test-app.js';

// The scenario below files a few dozen cases and waits for one SLA timer to fire.
jest.setTimeout(60_000);

const NONE = { suggestion: 0, grievance: 0, dispute: 0, risk: 0, hardship: 0, visit: 0 };
const NOVEMBER_AND_DECEMBER = 'from=2026-11-01T00:00:00%2B08:00&to=2027-01-01T00:00:00%2B08:00';

/**
 * The cases of the scenario, all filed in hd-dg-1's subtree unless said (times in Shanghai; the
 * accept clock runs one working day, the resolve clock per kind):
 *
 * | case | kind       | filed            | what happens                                                              |
 * | ---- | ---------- | ---------------- | ------------------------------------------------------------------------- |
 * | A    | dispute    | 11-02 09:00      | accepted and resolved in time, satisfied                                  |
 * | B    | suggestion | 11-02 09:00      | accepted, annotated, resolved adopted, basically satisfied                |
 * | C    | suggestion | 11-02 09:00 grid | filed by the grid's clerk; partially adopted, unsatisfied, redone, satisfied |
 * | D    | suggestion | 11-02 09:00      | resolved not adopted, closed without feedback                            |
 * | E    | grievance  | 11-02 09:00      | accepted after its accept clock ran out; resolved in time; unsatisfied    |
 * | F    | risk       | 11-02 09:00      | never accepted: its accept breach timer fires                             |
 * | G    | hardship   | 11-02 09:00      | accepted, escalated out of the subtree to hd-dg, accepted and resolved there |
 * | H    | risk       | 11-02 09:00      | resolved after its one-day resolve clock ran out; satisfied               |
 * | W    | grievance  | 11-02 09:00      | withdrawn while waiting                                                   |
 * | L    | grievance  | 11-30 23:30      | still waiting (November in Shanghai)                                      |
 * | K    | suggestion | 12-01 00:30      | accepted and annotated (December in Shanghai, still November in UTC)      |
 * | N    | dispute    | 2027-01-01 00:00 | outside the period, which ends at that instant                            |
 * | I    | dispute    | hx-xh-1          | outside hd: resolved in time, unsatisfied                                 |
 * | J    | visit      | hd-ll-1          | filed by a coordinator, resolved in time                                  |
 */
describe('statistics and the information officers’ appraisal', () => {
  let t: TestApp;
  let api: Api;
  let lastPosition = 0;
  const cases: Record<string, Filed> = {};

  /**
   * Moves the test's clock forward to a Shanghai wall time, once every projection has taken in
   * what was done so far: a timer is set from the clock as it stands when its event is projected.
   */
  const setClock = async (time: string) => {
    expect(await t.engine.projections.waitFor(lastPosition, 15_000)).toBe(true);
    const ms = Date.parse(`${time}+08:00`) - t.now().getTime();
    expect(ms).toBeGreaterThanOrEqual(0);
    t.advance(ms);
  };
  const file = async (name: string, kind: string, unitId = 'hd-dg-1', by = 'hd-dg-1.clerk', extra: Record<string, unknown> = {}) => {
    cases[name] = await api.file({ kind, unitId, title: `统计用例${name}`, ...extra }, by);
    lastPosition = Math.max(lastPosition, cases[name].position);
  };
  const act = async (by: string, name: string, action: string, body?: Record<string, unknown>) => {
    lastPosition = Math.max(lastPosition, (await api.must(by, cases[name]!.id, action, body)).position);
  };
  const COORDINATOR = 'hd-dg-1.coordinator';
  const resolveAs = (outcome: string) => ({ outcome, summary: '已办理' });
  const feedback = (satisfaction: string) => ({ satisfaction, comment: '回访' });

  const stats = async (user: string, query = '') => {
    const response = await api.get(user, `/api/v1/stats?minPosition=${lastPosition}${query ? `&${query}` : ''}`);
    expect({ status: response.status, consistency: response.headers['x-minyi-consistency'] }).toEqual({ status: 200, consistency: 'caught-up' });
    return response.body;
  };
  const appraisal = async (user: string, query = '') => {
    const response = await api.get(user, `/api/v1/stats/clerks?minPosition=${lastPosition}${query ? `&${query}` : ''}`);
    expect(response.status).toBe(200);
    return response.body;
  };

  useTestApp(async (app) => {
    t = app;
    api = new Api(app);
    for (const [username, unitId] of [
      ['hd-dg-1-g1.clerk', 'hd-dg-1-g1'],
      ['hd-dg-1-a.clerk', 'hd-dg-1'],
      ['hd-dg-1-g2.clerk', 'hd-dg-1-g2'],
    ]) {
      const created = await api.post('admin', '/api/v1/users', { username, displayName: `${unitId}信息员`, password: DEMO_PASSWORD, roles: ['clerk'], unitId });
      expect(created.status).toBe(201);
    }

    // Monday 2 November 2026, 09:00.
    for (const [name, kind] of [['A', 'dispute'], ['B', 'suggestion'], ['D', 'suggestion'], ['E', 'grievance'], ['F', 'risk'], ['G', 'hardship'], ['H', 'risk'], ['W', 'grievance']]) {
      await file(name!, kind!);
    }
    await file('C', 'suggestion', 'hd-dg-1-g1', 'hd-dg-1-g1.clerk');
    await file('I', 'dispute', 'hx-xh-1', 'hx-xh-1.clerk');
    await file('J', 'visit', 'hd-ll-1', 'hd.coordinator', { visitReason: 'festival' });

    await setClock('2026-11-02T10:00:00');
    for (const name of ['A', 'B', 'C', 'D', 'G', 'H']) await act(COORDINATOR, name, 'accept');
    await act('hx-xh-1.coordinator', 'I', 'accept');
    await act('hd.coordinator', 'J', 'accept');
    await act(COORDINATOR, 'W', 'withdraw');

    await setClock('2026-11-02T11:00:00');
    await act(COORDINATOR, 'B', 'request-annotation');
    await act(COORDINATOR, 'A', 'resolve', resolveAs('mediated'));
    await act(COORDINATOR, 'D', 'resolve', resolveAs('not_adopted'));
    await act(COORDINATOR, 'G', 'escalate');
    await act('hx-xh-1.coordinator', 'I', 'resolve', resolveAs('resolved'));

    await setClock('2026-11-02T11:30:00');
    await act('hd-dg.leader', 'B', 'annotate');
    await act(COORDINATOR, 'A', 'feedback', feedback('satisfied'));
    await act(COORDINATOR, 'D', 'close');
    await act('hd-dg.coordinator', 'G', 'accept');
    await act('hx-xh-1.coordinator', 'I', 'feedback', feedback('unsatisfied'));

    await setClock('2026-11-02T12:00:00');
    await act(COORDINATOR, 'B', 'resolve', resolveAs('adopted'));
    await act(COORDINATOR, 'C', 'resolve', resolveAs('partially_adopted'));
    await act('hd-dg.coordinator', 'G', 'resolve', resolveAs('resolved'));
    await act('hd.coordinator', 'J', 'resolve', resolveAs('resolved'));

    await setClock('2026-11-02T12:30:00');
    await act(COORDINATOR, 'B', 'feedback', feedback('basically_satisfied'));
    await act(COORDINATOR, 'C', 'feedback', feedback('unsatisfied'));
    await setClock('2026-11-02T13:00:00');
    await act(COORDINATOR, 'C', 'resolve', resolveAs('partially_adopted'));
    await setClock('2026-11-02T13:30:00');
    await act(COORDINATOR, 'C', 'feedback', feedback('satisfied'));

    // Tuesday: the accept clocks of E and F ran out at 09:00, H's resolve clock at 10:00.
    await setClock('2026-11-03T10:30:00');
    await act(COORDINATOR, 'E', 'accept');
    await act(COORDINATOR, 'H', 'resolve', resolveAs('resolved'));
    await fireAcceptBreach('F');
    await setClock('2026-11-03T11:00:00');
    await act(COORDINATOR, 'E', 'resolve', resolveAs('resolved'));
    await act(COORDINATOR, 'H', 'feedback', feedback('satisfied'));
    await setClock('2026-11-03T11:30:00');
    await act(COORDINATOR, 'E', 'feedback', feedback('unsatisfied'));

    // Either side of the month's end in Shanghai.
    await setClock('2026-11-30T23:30:00');
    await file('L', 'grievance');
    await setClock('2026-12-01T00:30:00');
    await file('K', 'suggestion');
    await setClock('2026-12-01T00:45:00');
    await act(COORDINATOR, 'K', 'accept');
    await act(COORDINATOR, 'K', 'request-annotation');
    await setClock('2026-12-01T01:30:00');
    await act('hd.leader', 'K', 'annotate');

    await setClock('2027-01-01T00:00:00');
    await file('N', 'dispute');
    await setClock('2027-01-01T00:30:00');
  });

  /**
   * Lets the accept clock's breach timer of a case fire now, as it would have at its due time, and
   * waits for the breach: runs the tick of its second at once, which fires every timer due by the
   * test's clock (the case's warning too; the other timers due by then belong to clocks that have
   * stopped, and do nothing).
   */
  async function fireAcceptBreach(name: string): Promise<void> {
    const { id } = cases[name]!;
    const deadlines = (await api.detail(COORDINATOR, id)).deadlines as { clock: string; dueAt: string }[];
    const dueAt = deadlines.find((deadline) => deadline.clock === 'accept')!.dueAt;
    expect(Date.parse(dueAt)).toBeLessThanOrEqual(t.now().getTime());
    const queue = t.engine.queues.queue<SlaTimerJob>(SLA_QUEUE);
    const tick = await eventually(async () => (await queue.getJob(slaJobId({ kind: 'SlaTick', second: dueSecond(dueAt) }))) ?? undefined);
    await tick.promote();
    const breach = await eventually(async () => {
      const { events } = (await api.get('auditor', `/api/v1/cases/${id}/history`)).body as { events: { type: string; position: number }[] };
      return events.find((event) => event.type === 'SlaBreached');
    });
    lastPosition = Math.max(lastPosition, breach.position);
  }

  describe('GET /api/v1/stats', () => {
    it('counts the cases filed in the unit’s subtree in [from, to), with every rate by its formula', async () => {
      expect(await stats('hd-dg-1.coordinator', NOVEMBER_AND_DECEMBER)).toEqual({
        unitId: 'hd-dg-1',
        from: '2026-11-01T00:00:00+08:00',
        to: '2027-01-01T00:00:00+08:00',
        // A B C D E F G H W L K; N is filed at the very end of the period, which excludes it.
        filed: { total: 11, byKind: { suggestion: 4, grievance: 3, dispute: 1, risk: 2, hardship: 1, visit: 0 } },
        resolved: 7, // A B C D E G H
        disputesResolved: 1, // A
        annotated: 2, // B K
        // Accepted in time: A B C D G (at both units) H K; out of those and E (accepted late) and F (breached waiting).
        responseRate: 7 / 9,
        // Of the 8 accepted (A B C D E G H K), all but K reached resolved.
        resolutionRate: 7 / 8,
        // Latest feedback: A satisfied, B basically, C satisfied (after unsatisfied), H satisfied; E unsatisfied.
        satisfactionRate: 4 / 5,
        selfRatedSatisfactionRate: null,
        // Every resolved case but H, resolved after its clock ran out.
        onTimeRate: 6 / 7,
        byMonth: [
          { month: '2026-11', filed: 10, resolved: 7, annotated: 1, byKind: { suggestion: 3, grievance: 3, dispute: 1, risk: 2, hardship: 1, visit: 0 } },
          { month: '2026-12', filed: 1, resolved: 0, annotated: 1, byKind: { ...NONE, suggestion: 1 } },
        ],
      });
    });

    it('counts a case where it was filed: the town sees the same cases as the community it escalated from', async () => {
      const community = await stats('hd-dg.coordinator', `unitId=hd-dg-1&${NOVEMBER_AND_DECEMBER}`);
      const town = await stats('hd-dg.coordinator', NOVEMBER_AND_DECEMBER);
      expect(town).toEqual({ ...community, unitId: 'hd-dg' });
    });

    it('takes in the whole subtree and nothing outside it', async () => {
      expect(await stats('hd.leader', NOVEMBER_AND_DECEMBER)).toMatchObject({
        unitId: 'hd',
        filed: { total: 12, byKind: { suggestion: 4, grievance: 3, dispute: 1, risk: 2, hardship: 1, visit: 1 } },
        resolved: 8,
        disputesResolved: 1,
        annotated: 2,
        responseRate: 8 / 10,
        resolutionRate: 8 / 9,
        satisfactionRate: 4 / 5,
        onTimeRate: 7 / 8,
      });
      expect(await stats('auditor', NOVEMBER_AND_DECEMBER)).toMatchObject({
        unitId: 'sf',
        filed: { total: 13, byKind: { suggestion: 4, grievance: 3, dispute: 2, risk: 2, hardship: 1, visit: 1 } },
        resolved: 9,
        disputesResolved: 2,
        annotated: 2,
        responseRate: 9 / 11,
        resolutionRate: 9 / 10,
        satisfactionRate: 4 / 6,
        onTimeRate: 8 / 9,
      });
      expect(await stats('hx-xh-1.coordinator', NOVEMBER_AND_DECEMBER)).toMatchObject({
        unitId: 'hx-xh-1',
        filed: { total: 1, byKind: { ...NONE, dispute: 1 } },
        resolved: 1,
        disputesResolved: 1,
        annotated: 0,
        responseRate: 1,
        resolutionRate: 1,
        satisfactionRate: 0,
        onTimeRate: 1,
      });
      expect(await stats('hd-dg-1.coordinator', `unitId=hd-dg-1-g1&${NOVEMBER_AND_DECEMBER}`)).toMatchObject({
        unitId: 'hd-dg-1-g1',
        filed: { total: 1, byKind: { ...NONE, suggestion: 1 } },
        resolved: 1,
        satisfactionRate: 1,
      });
    });

    it('includes a case filed exactly at `from` and excludes one filed exactly at `to`', async () => {
      expect((await stats('hd-dg-1.coordinator', 'from=2026-11-02T09:00:00%2B08:00&to=2027-01-01T00:00:00%2B08:00')).filed.total).toBe(11);
      expect((await stats('hd-dg-1.coordinator', 'from=2026-11-02T09:00:01%2B08:00&to=2027-01-01T00:00:00%2B08:00')).filed.total).toBe(2); // L K
      const withNewYear = await stats('hd-dg-1.coordinator', 'from=2026-11-01&to=2027-01-01T00:00:01%2B08:00');
      expect(withNewYear.filed).toEqual({ total: 12, byKind: { suggestion: 4, grievance: 3, dispute: 2, risk: 2, hardship: 1, visit: 0 } });
      expect(withNewYear.byMonth.map((month: { month: string; filed: number }) => [month.month, month.filed])).toEqual([
        ['2026-11', 10],
        ['2026-12', 1],
        ['2027-01', 1],
      ]);
    });

    it('zero-fills every month of the period in Shanghai, and gives null rates for a period with nothing filed', async () => {
      expect(await stats('hd-dg-1.coordinator', 'from=2025-01-01&to=2025-06-01')).toEqual({
        unitId: 'hd-dg-1',
        from: '2025-01-01T00:00:00+08:00',
        to: '2025-06-01T00:00:00+08:00',
        filed: { total: 0, byKind: NONE },
        resolved: 0,
        disputesResolved: 0,
        annotated: 0,
        responseRate: null,
        resolutionRate: null,
        satisfactionRate: null,
        selfRatedSatisfactionRate: null,
        onTimeRate: null,
        byMonth: ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05'].map((month) => ({ month, filed: 0, resolved: 0, annotated: 0, byKind: NONE })),
      });
    });

    it('covers by default the user’s unit from 1 January of this year until now', async () => {
      expect(await stats('hd-dg-1.coordinator')).toMatchObject({
        unitId: 'hd-dg-1',
        from: '2027-01-01T00:00:00+08:00',
        to: '2027-01-01T00:30:00+08:00',
        filed: { total: 1, byKind: { ...NONE, dispute: 1 } }, // N
        byMonth: [{ month: '2027-01', filed: 1, resolved: 0, annotated: 0, byKind: { ...NONE, dispute: 1 } }],
      });
      expect(await stats('admin')).toMatchObject({ unitId: 'sf', filed: { total: 1 } });
      expect(await stats('hd.leader', 'to=2027-01-01')).toMatchObject({ unitId: 'hd', from: '2026-01-01T00:00:00+08:00', filed: { total: 12 } });
    });
  });

  describe('GET /api/v1/stats/clerks', () => {
    it('gives every clerk of the subtree a row, zeros included, most filed first and then by username', async () => {
      const clerk = await api.userId('hd-dg-1.clerk');
      const gridClerk = await api.userId('hd-dg-1-g1.clerk');
      expect(await appraisal('hd-dg-1.coordinator', NOVEMBER_AND_DECEMBER)).toEqual({
        unitId: 'hd-dg-1',
        from: '2026-11-01T00:00:00+08:00',
        to: '2027-01-01T00:00:00+08:00',
        clerks: [
          // A B D E F G H W L K; accepted A B D E G H K; annotated B K; adopted B.
          { userId: clerk, username: 'hd-dg-1.clerk', displayName: '东关社区信息员', unitId: 'hd-dg-1', filed: 10, accepted: 7, annotated: 2, adopted: 1, adoptions: 0, points: 0 },
          // C, partially adopted.
          { userId: gridClerk, username: 'hd-dg-1-g1.clerk', displayName: 'hd-dg-1-g1信息员', unitId: 'hd-dg-1-g1', filed: 1, accepted: 1, annotated: 0, adopted: 1, adoptions: 0, points: 0 },
          { userId: await api.userId('hd-dg-1-a.clerk'), username: 'hd-dg-1-a.clerk', displayName: 'hd-dg-1信息员', unitId: 'hd-dg-1', filed: 0, accepted: 0, annotated: 0, adopted: 0, adoptions: 0, points: 0 },
          { userId: await api.userId('hd-dg-1-g2.clerk'), username: 'hd-dg-1-g2.clerk', displayName: 'hd-dg-1-g2信息员', unitId: 'hd-dg-1-g2', filed: 0, accepted: 0, annotated: 0, adopted: 0, adoptions: 0, points: 0 },
        ],
      });
    });

    it('lists only the clerks of the subtree; a coordinator’s filings are not appraised', async () => {
      const city = await appraisal('city.leader', NOVEMBER_AND_DECEMBER);
      expect(city.clerks.map((row: { username: string; filed: number }) => [row.username, row.filed])).toEqual([
        ['hd-dg-1.clerk', 10],
        ['hd-dg-1-g1.clerk', 1],
        ['hx-xh-1.clerk', 1],
        ['hd-dg-1-a.clerk', 0],
        ['hd-dg-1-g2.clerk', 0],
      ]);
      expect(city.clerks[2]).toMatchObject({ accepted: 1, annotated: 0, adopted: 0 });
      expect((await appraisal('hx-xh-1.coordinator', NOVEMBER_AND_DECEMBER)).clerks.map((row: { username: string }) => row.username)).toEqual(['hx-xh-1.clerk']);
      expect((await appraisal('hd.leader', `unitId=hd-ll&${NOVEMBER_AND_DECEMBER}`)).clerks).toEqual([]);
      expect(await appraisal('hd-dg-1.coordinator', 'unitId=hd-dg-1-g1&from=2026-11-02T09:00:01%2B08:00')).toMatchObject({
        unitId: 'hd-dg-1-g1',
        from: '2026-11-02T09:00:01+08:00',
        to: '2027-01-01T00:30:00+08:00',
        clerks: [{ username: 'hd-dg-1-g1.clerk', filed: 0, accepted: 0, annotated: 0, adopted: 0 }],
      });
    });
  });

  describe('adoptions in the appraisal', () => {
    /** Records an adoption through the command path, as the adoption route does, by a leader who may read the case. */
    const adopt = async (name: string, [leader, unitId]: readonly [string, string], kind: AdoptionKind, level: AdoptionLevel) => {
      const actor = { userId: await api.userId(leader), roles: ['leader' as const], unitId };
      const result = await t.app.get(CaseCommands).execute(
        { type: 'AdoptSuggestion', caseId: cases[name]!.id, actor, at: t.now().toISOString(), kind, level, body: '该建议已被采纳' },
        { correlationId: `adopt-${name}-${kind}-${level}` },
      );
      lastPosition = Math.max(lastPosition, result.position);
    };

    it('counts the adoptions recorded in the period on the cases each clerk filed, at the policy’s points', async () => {
      // Recorded on 1 January 2027 at 00:31, on cases filed in November; the period runs until 00:32.
      t.advance(60_000);
      const [town, county, city] = [['hd-dg.leader', 'hd-dg'], ['hd.leader', 'hd'], ['city.leader', 'sf']] as const;
      await adopt('B', county, 'adopted', 'county'); // 4 points
      await adopt('B', city, 'annotated', 'city'); // 15
      await adopt('C', town, 'adopted', 'community'); // 1
      await adopt('I', city, 'annotated', 'national'); // 50, hx-xh-1's clerk
      t.advance(60_000);
      const thisYear = await appraisal('city.leader');
      expect(thisYear.clerks.map((row: { username: string; filed: number; adoptions: number; points: number }) => [row.username, row.filed, row.adoptions, row.points])).toEqual([
        ['hd-dg-1.clerk', 1, 2, 19], // filed N this year
        ['hd-dg-1-a.clerk', 0, 0, 0],
        ['hd-dg-1-g1.clerk', 0, 1, 1],
        ['hd-dg-1-g2.clerk', 0, 0, 0],
        ['hx-xh-1.clerk', 0, 1, 50],
      ]);
      // Within the town's subtree only its clerks' cases count.
      expect((await appraisal('hd-dg.leader', 'unitId=hd-dg-1-g1')).clerks).toEqual([expect.objectContaining({ username: 'hd-dg-1-g1.clerk', adoptions: 1, points: 1 })]);
    });

    it('leaves out adoptions recorded outside the period, whenever their case was filed', async () => {
      const last = await appraisal('city.leader', NOVEMBER_AND_DECEMBER);
      expect(last.clerks.every((row: { adoptions: number; points: number }) => row.adoptions === 0 && row.points === 0)).toBe(true);
      expect(last.clerks[0]).toMatchObject({ username: 'hd-dg-1.clerk', filed: 10 });
      const fromTheFirstAdoption = await appraisal('hd-dg-1.coordinator', 'from=2027-01-01T00:31:00%2B08:00&to=2027-01-01T00:31:01%2B08:00');
      expect(fromTheFirstAdoption.clerks.find((row: { username: string }) => row.username === 'hd-dg-1.clerk')).toMatchObject({ filed: 0, adoptions: 2, points: 19 });
    });
  });

  describe.each(['/api/v1/stats', '/api/v1/stats/clerks'])('who may ask %s what', (route) => {
    it('refuses a clerk', async () => {
      expectError(await api.get('hd-dg-1.clerk', route), 403, 'forbidden');
      expectError(await api.get('hd-dg-1.clerk', `${route}?unitId=hd-dg-1`), 403, 'forbidden');
    });

    it('refuses a unit outside the user’s subtree, and answers an unknown one with 404', async () => {
      expectError(await api.get('hd-dg-1.coordinator', `${route}?unitId=hd-dg`), 403, 'forbidden');
      expectError(await api.get('hd.leader', `${route}?unitId=hx-xh-1`), 403, 'forbidden');
      expectError(await api.get('auditor', `${route}?unitId=nowhere`), 404, 'not_found');
    });

    it('lets coordinators, leaders, auditors and admins read within their subtree', async () => {
      for (const [user, unitId] of [['hd-dg-1.coordinator', 'hd-dg-1-g2'], ['hd-dg.leader', 'hd-dg-1'], ['auditor', 'hx'], ['admin', 'hd']]) {
        const response = await api.get(user!, `${route}?unitId=${unitId}`);
        expect({ user, status: response.status, unitId: response.body.unitId }).toEqual({ user, status: 200, unitId });
      }
    });

    it.each([
      ['from=yesterday', 'from'],
      ['to=2026-13-01', 'to'],
      ['from=2026-02-30', 'from'],
      ['to=2026-11-01T00:00:00', 'to'],
      ['from=2026-12-01&to=2026-11-01', 'from'],
      ['from=2026-11-01&to=2026-11-01', 'from'],
      ['from=2016-01-01&to=2026-06-01', 'from'],
      ['unitId=%20', 'unitId'],
      ['minPosition=-1', 'minPosition'],
      ['minPosition=soon', 'minPosition'],
      ['group=month', 'group'],
    ])('answers ?%s with 400 naming %s', async (query, field) => {
      expectFieldError(await api.get('hd.coordinator', `${route}?${query}`), field);
    });

    it('reads a blank parameter as left out: ?unitId=&from=&to= is the reader’s unit, this year', async () => {
      const blank = await api.get('hd.coordinator', `${route}?unitId=&from=&to=`);
      const none = await api.get('hd.coordinator', route);
      expect(blank.status).toBe(200);
      expect(blank.body).toEqual(none.body);
      expect(blank.body.unitId).toBe('hd');
    });

    it('needs a token', async () => {
      expectError(await t.http().get(route), 401);
    });

    it('is documented in the OpenAPI description', async () => {
      const { paths } = (await t.http().get('/api/docs-json').expect(200)).body as { paths: Record<string, { get?: { parameters: { name: string }[] } }> };
      expect(paths[route]?.get?.parameters.map((parameter) => parameter.name).sort()).toEqual(['format', 'from', 'minPosition', 'to', 'unitId']);
    });
  });
});
