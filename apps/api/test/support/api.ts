import { expect } from '@jest/globals';
import type { Response } from 'supertest';
import type { TestApp } from './test-app.js';

/** The filer's phone in every filing below, and how readers who may not act on the case see it. */
export const PHONE = '13812345678';
export const MASKED_PHONE = '138****5678';

/** Every demo account of API.md, with its unit. */
export const DEMO_USERS = [
  'admin',
  'auditor',
  'city.leader',
  'city.coordinator',
  'hd.leader',
  'hd.coordinator',
  'hd-dg.leader',
  'hd-dg.coordinator',
  'hd-dg-1.clerk',
  'hd-dg-1.coordinator',
  'hx-xh-1.clerk',
  'hx-xh-1.coordinator',
] as const;
export type DemoUser = (typeof DEMO_USERS)[number];

export type CaseStatus = 'filed' | 'in_coordination' | 'awaiting_annotation' | 'resolved' | 'closed' | 'rejected' | 'withdrawn' | 'merged';

/** A valid filing body; `overrides` replace top-level fields. */
export function filing(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'dispute',
    title: '小区停车位纠纷',
    description: '业主与物业因停车位分配发生争执，请求社区调解。',
    channel: 'walk_in',
    unitId: 'hd-dg-1',
    filer: { name: '张三', phone: PHONE },
    ...overrides,
  };
}

export interface Filed {
  readonly id: string;
  readonly number: string;
  readonly status: string;
  readonly revision: number;
  readonly position: number;
}

export interface Moved {
  readonly id: string;
  readonly status: CaseStatus;
  readonly revision: number;
  readonly position: number;
}

/** A body for each action that is valid whatever the case (ids that depend on the test are added by it). */
export const ACTION_BODIES: Record<string, Record<string, unknown>> = {
  accept: { note: '已受理' },
  reject: { reason: '不属于受理范围' },
  notes: { type: 'contact', text: '已电话联系当事人' },
  escalate: { reason: '需上级协调' },
  'request-annotation': { summary: '请领导批示' },
  annotate: { instruction: '请抓紧办理' },
  resolve: { outcome: 'mediated', summary: '双方达成调解协议' },
  feedback: { satisfaction: 'satisfied', comment: '满意' },
  close: { summary: '已办结' },
  reopen: { reason: '当事人反映问题未解决' },
  withdraw: { reason: '当事人申请撤回' },
  'extend-deadline': { clock: 'resolve', workingDays: 5, reason: '案情复杂' },
};

/** The HTTP API as the demo accounts use it. */
export class Api {
  private readonly ids = new Map<string, string>();

  constructor(readonly t: TestApp) {}

  async get(username: string, path: string): Promise<Response> {
    return this.t
      .http()
      .get(path)
      .set('Authorization', `Bearer ${await this.t.token(username)}`);
  }

  /** A GET whose body is kept as the raw bytes (a spreadsheet, a file), whatever its content type. */
  async download(username: string, path: string): Promise<Response> {
    return this.t
      .http()
      .get(path)
      .set('Authorization', `Bearer ${await this.t.token(username)}`)
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });
  }

  async post(username: string, path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<Response> {
    return this.t
      .http()
      .post(path)
      .set({ Authorization: `Bearer ${await this.t.token(username)}`, ...headers })
      .send(body as object);
  }

  /** Files a case and expects 201. */
  async file(overrides: Record<string, unknown> = {}, username = 'hd-dg-1.clerk'): Promise<Filed> {
    const response = await this.post(username, '/api/v1/cases', filing(overrides));
    expect(response.body).toMatchObject({ status: 'filed' });
    expect(response.status).toBe(201);
    return response.body as Filed;
  }

  act(username: string, caseId: string, action: string, body: Record<string, unknown> = ACTION_BODIES[action] ?? {}): Promise<Response> {
    return this.post(username, `/api/v1/cases/${caseId}/${action}`, body);
  }

  /** Runs an action and expects 200. */
  async must(username: string, caseId: string, action: string, body?: Record<string, unknown>): Promise<Moved> {
    const response = await this.act(username, caseId, action, body);
    if (response.status !== 200) throw new Error(`${username} ${action} ${caseId}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as Moved;
  }

  async detail(username: string, caseId: string): Promise<Record<string, unknown> & { revision: number; status: string }> {
    const response = await this.get(username, `/api/v1/cases/${caseId}`);
    expect(response.status).toBe(200);
    return response.body;
  }

  async userId(username: string): Promise<string> {
    const known = this.ids.get(username);
    if (known) return known;
    const me = await this.get(username, '/api/v1/me');
    expect(me.status).toBe(200);
    this.ids.set(username, me.body.id);
    return me.body.id as string;
  }

  /**
   * Files a case at `unitId` and moves it into `status`, by the community coordinator (or, above
   * the community, the town's). Returns the last command's answer.
   */
  async caseIn(status: CaseStatus, unitId = 'hd-dg-1', extra: Record<string, unknown> = {}): Promise<Moved> {
    const filed = await this.file({ unitId, ...extra });
    const coordinator = unitId.startsWith('hd-dg-1') ? 'hd-dg-1.coordinator' : 'city.coordinator';
    let last: Moved = { id: filed.id, status: 'filed', revision: filed.revision, position: filed.position };
    const step = async (action: string, by = coordinator, body?: Record<string, unknown>) => (last = await this.must(by, filed.id, action, body));
    switch (status) {
      case 'filed':
        break;
      case 'rejected':
        await step('reject');
        break;
      case 'withdrawn':
        await step('withdraw');
        break;
      case 'merged': {
        const target = await this.file({ unitId });
        await step('merge', coordinator, { intoCaseId: target.id });
        break;
      }
      default:
        await step('accept');
        if (status === 'awaiting_annotation') await step('request-annotation');
        if (status === 'resolved' || status === 'closed') await step('resolve');
        if (status === 'closed') await step('close');
    }
    expect(last.status).toBe(status);
    return last;
  }

  /** Waits until the read models include `position` (the list's read-your-writes), and checks they did. */
  async caughtUp(position: number, username = 'admin'): Promise<void> {
    const response = await this.get(username, `/api/v1/cases?minPosition=${position}&pageSize=1`);
    expect(response.status).toBe(200);
    expect(response.headers['x-minyi-consistency']).toBe('caught-up');
  }

  async eventCount(): Promise<number> {
    const { rows } = await this.t.engine.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM events');
    return rows[0]!.count;
  }
}

/** Expects the API.md error body with this status (and code, when given). */
export function expectError(response: Response, statusCode: number, code?: string): void {
  expect({ status: response.status, body: response.body }).toMatchObject({
    status: statusCode,
    body: { statusCode, error: expect.any(String), message: expect.any(String), ...(code ? { code } : {}) },
  });
}

/** Expects 400 whose `details` name `field`. */
export function expectFieldError(response: Response, field: string): void {
  expectError(response, 400);
  expect(response.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.any(String) })]));
}
