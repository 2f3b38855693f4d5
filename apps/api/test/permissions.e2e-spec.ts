import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ACTION_BODIES, Api, DEMO_USERS, expectError, MASKED_PHONE, PHONE, type CaseStatus, type DemoUser } from './support/api.js';
import { useTestApp } from './support/test-app.js';

/**
 * Who may do what to a case at the grid hd-dg-1-g1 (so that a transfer to hd-dg-1-g2 is possible):
 * the accounts whose role allows the action and whose unit's subtree holds the case. Everyone
 * else gets 403, whether for their role or their scope.
 */
const COORDINATORS: DemoUser[] = ['city.coordinator', 'hd.coordinator', 'hd-dg.coordinator', 'hd-dg-1.coordinator'];
const LEADERS: DemoUser[] = ['city.leader', 'hd.leader', 'hd-dg.leader'];
const UNIT = 'hd-dg-1-g1';

const MATRIX: { action: string; from: CaseStatus; allowed: DemoUser[] }[] = [
  { action: 'accept', from: 'filed', allowed: COORDINATORS },
  { action: 'reject', from: 'filed', allowed: COORDINATORS },
  { action: 'assign', from: 'in_coordination', allowed: COORDINATORS },
  { action: 'notes', from: 'in_coordination', allowed: [...COORDINATORS, 'hd-dg-1.clerk'] },
  { action: 'transfer', from: 'filed', allowed: COORDINATORS },
  { action: 'escalate', from: 'in_coordination', allowed: COORDINATORS },
  { action: 'request-annotation', from: 'in_coordination', allowed: COORDINATORS },
  { action: 'annotate', from: 'awaiting_annotation', allowed: LEADERS },
  { action: 'resolve', from: 'in_coordination', allowed: COORDINATORS },
  { action: 'feedback', from: 'resolved', allowed: COORDINATORS },
  { action: 'close', from: 'resolved', allowed: COORDINATORS },
  { action: 'reopen', from: 'closed', allowed: COORDINATORS },
  { action: 'withdraw', from: 'filed', allowed: [...COORDINATORS, 'hd-dg-1.clerk'] },
  { action: 'merge', from: 'filed', allowed: COORDINATORS },
  { action: 'extend-deadline', from: 'in_coordination', allowed: LEADERS },
];

describe('who may act on and read a case', () => {
  let api: Api;
  let mergeTarget: string;
  useTestApp(async (app) => {
    api = new Api(app);
    mergeTarget = (await api.file({ unitId: UNIT })).id;
  });

  const bodyFor = async (action: string): Promise<Record<string, unknown>> => {
    if (action === 'assign') return { assigneeId: await api.userId('hd-dg-1.coordinator') };
    if (action === 'transfer') return { toUnitId: 'hd-dg-1-g2', reason: '属第二网格' };
    if (action === 'merge') return { intoCaseId: mergeTarget };
    return ACTION_BODIES[action]!;
  };

  describe.each(MATRIX)('$action (from $from)', ({ action, from, allowed }) => {
    const refused = DEMO_USERS.filter((user) => !allowed.includes(user));

    it.each(allowed)(`lets %s ${action}`, async (user) => {
      const before = await api.caseIn(from, UNIT);
      const response = await api.act(user, before.id, action, await bodyFor(action));
      expect({ status: response.status, body: response.body }).toMatchObject({ status: 200, body: { revision: before.revision + 1 } });
    });

    it(`refuses ${refused.join(', ')} with 403 and writes nothing`, async () => {
      const before = await api.caseIn(from, UNIT);
      const body = await bodyFor(action);
      for (const user of refused) {
        const response = await api.act(user, before.id, action, body);
        expect({ user, status: response.status }).toEqual({ user, status: 403 });
        expectError(response, 403, 'forbidden');
        expect(response.body.message).toMatch(/may not|outside your scope/);
      }
      expect((await api.detail('auditor', before.id)).revision).toBe(before.revision);
    });

    it('answers 404 for an unknown case, whoever asks', async () => {
      const body = await bodyFor(action);
      for (const user of [allowed[0]!, refused[0]!]) expectError(await api.act(user, randomUUID(), action, body), 404);
    });
  });

  it('says why a coordinator of another subtree is refused: scope, not role', async () => {
    const filed = await api.file({ unitId: UNIT });
    const response = await api.act('hx-xh-1.coordinator', filed.id, 'accept');
    expectError(response, 403, 'forbidden');
    expect(response.body.message).toMatch(/outside your scope/);
    const byRole = await api.act('hd-dg-1.clerk', filed.id, 'accept');
    expect(byRole.body.message).toMatch(/role clerk may not accept/);
  });

  describe('allowedActions', () => {
    it.each<[DemoUser, string[]]>([
      ['hd-dg-1.coordinator', ['accept', 'reject', 'notes', 'escalate', 'withdraw', 'merge']],
      ['city.coordinator', ['accept', 'reject', 'notes', 'escalate', 'withdraw', 'merge']],
      ['hd-dg-1.clerk', ['notes', 'withdraw']],
      ['hd-dg.leader', ['extend-deadline']],
      ['auditor', []],
      ['admin', []],
    ])('lists what %s may do with a filed case at a community', async (user, actions) => {
      const filed = await api.file();
      expect((await api.detail(user, filed.id)).allowedActions).toEqual(actions);
    });

    it('follows the case through its states', async () => {
      const filed = await api.file({ unitId: UNIT });
      const actions = async (user: DemoUser) => (await api.detail(user, filed.id)).allowedActions;
      expect(await actions('hd-dg-1.coordinator')).toEqual(['accept', 'reject', 'notes', 'transfer', 'escalate', 'withdraw', 'merge']);
      await api.must('hd-dg-1.coordinator', filed.id, 'accept');
      expect(await actions('hd-dg-1.coordinator')).toEqual(['assign', 'notes', 'transfer', 'escalate', 'request-annotation', 'resolve', 'withdraw', 'merge']);
      await api.must('hd-dg-1.coordinator', filed.id, 'request-annotation');
      expect(await actions('hd-dg-1.coordinator')).toEqual(['notes', 'withdraw']);
      expect(await actions('hd.leader')).toEqual(['annotate', 'extend-deadline']);
      await api.must('hd.leader', filed.id, 'annotate');
      await api.must('hd-dg-1.coordinator', filed.id, 'resolve');
      expect(await actions('hd-dg-1.coordinator')).toEqual(['notes', 'feedback', 'close', 'withdraw']);
      await api.must('hd-dg-1.coordinator', filed.id, 'close');
      expect(await actions('hd-dg-1.coordinator')).toEqual(['reopen']);
      expect(await actions('hd-dg-1.clerk')).toEqual([]);
    });

    it('is empty for a coordinator who may still read the case but no longer act on it', async () => {
      const filed = await api.file();
      await api.must('hd-dg-1.coordinator', filed.id, 'escalate');
      expect((await api.detail('hd-dg-1.coordinator', filed.id)).allowedActions).toEqual([]);
      expect((await api.detail('hd-dg.coordinator', filed.id)).allowedActions).toContain('accept');
    });
  });

  describe('the filer’s phone', () => {
    const SEE_PHONE: DemoUser[] = ['hd-dg-1.clerk', 'hd-dg-1.coordinator', 'hd-dg.coordinator', 'hd.coordinator', 'city.coordinator'];
    const MASKED: DemoUser[] = ['admin', 'auditor', 'city.leader', 'hd.leader', 'hd-dg.leader'];

    const phones = async (user: DemoUser, caseId: string, position: number) => {
      const detail = await api.detail(user, caseId);
      const history = await api.get(user, `/api/v1/cases/${caseId}/history`);
      const state = await api.get(user, `/api/v1/cases/${caseId}/state?revision=0`);
      const list = await api.get(user, `/api/v1/cases?minPosition=${position}&pageSize=100`);
      const listed = (list.body.items as { id: string; filer: { phone: string } }[]).find((item) => item.id === caseId);
      return {
        detail: (detail.filer as { phone: string }).phone,
        history: history.body.events[0].data.filer.phone,
        state: state.body.state.filer.phone,
        list: listed?.filer.phone,
      };
    };

    it('is shown to clerks and coordinators who may act on the case, and masked as 138****5678 for every other reader', async () => {
      const filed = await api.file({ title: '号码遮蔽' });
      for (const user of SEE_PHONE) expect({ user, ...(await phones(user, filed.id, filed.position)) }).toEqual({ user, detail: PHONE, history: PHONE, state: PHONE, list: PHONE });
      for (const user of MASKED) expect({ user, ...(await phones(user, filed.id, filed.position)) }).toEqual({ user, detail: MASKED_PHONE, history: MASKED_PHONE, state: MASKED_PHONE, list: MASKED_PHONE });
    });

    it.each([
      ['an 8-digit landline', '87654321', '******21'],
      ['a 7-digit landline', '7654321', '*****21'],
    ])('shows %s only by its last 2 digits to every other reader, in every view', async (_, phone, masked) => {
      const filed = await api.file({ title: '短号码遮蔽', filer: { name: '李四', phone } });
      for (const user of SEE_PHONE) expect({ user, ...(await phones(user, filed.id, filed.position)) }).toEqual({ user, detail: phone, history: phone, state: phone, list: phone });
      for (const user of MASKED) expect({ user, ...(await phones(user, filed.id, filed.position)) }).toEqual({ user, detail: masked, history: masked, state: masked, list: masked });
    });

    it('is masked for the community once the case has moved above it, in every view including its own past states', async () => {
      const filed = await api.file({ title: '上报后遮蔽' });
      const moved = await api.must('hd-dg-1.coordinator', filed.id, 'escalate');
      for (const user of ['hd-dg-1.clerk', 'hd-dg-1.coordinator'] as const) {
        expect({ user, ...(await phones(user, filed.id, moved.position)) }).toEqual({ user, detail: MASKED_PHONE, history: MASKED_PHONE, state: MASKED_PHONE, list: MASKED_PHONE });
      }
      expect(await phones('hd-dg.coordinator', filed.id, moved.position)).toEqual({ detail: PHONE, history: PHONE, state: PHONE, list: PHONE });
    });

    it('is masked in the inbox of a leader and shown in the inbox of the coordinator who acts', async () => {
      const waiting = await api.caseIn('awaiting_annotation');
      await api.caughtUp(waiting.position);
      const inLeaderInbox = ((await api.get('hd-dg.leader', '/api/v1/inbox')).body.items as { id: string; filer: { phone: string } }[]).find((i) => i.id === waiting.id);
      expect(inLeaderInbox?.filer.phone).toBe(MASKED_PHONE);
      const open = await api.file({ title: '收件箱号码' });
      await api.caughtUp(open.position);
      const inCoordinatorInbox = ((await api.get('hd-dg-1.coordinator', '/api/v1/inbox')).body.items as { id: string; filer: { phone: string } }[]).find((i) => i.id === open.id);
      expect(inCoordinatorInbox?.filer.phone).toBe(PHONE);
    });
  });
});
