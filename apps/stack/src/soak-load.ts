import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SeededRandom } from '#demo-data';

/**
 * The soak's load: cases carried through the HTTP API by the demo accounts, along stories that
 * together make every workflow move, while faults kill the processes answering. Every command the
 * API acknowledges (2xx) is written down with what its answer says it wrote, for the checks.
 */

/** A command the API acknowledged, and the event its answer names. */
export interface AckedCommand {
  /** The route's action: `file`, `accept`, `notes`, … */
  readonly action: string;
  readonly caseId: string;
  readonly revision: number;
  /** The global log position of the event. */
  readonly position: number;
}

/** The event each action writes (one per command). */
export const EVENT_OF_ACTION: Readonly<Record<string, string>> = {
  file: 'CaseFiled',
  accept: 'CaseAccepted',
  reject: 'CaseRejected',
  assign: 'CaseAssigned',
  notes: 'NoteAdded',
  transfer: 'CaseTransferred',
  escalate: 'CaseEscalated',
  'request-annotation': 'AnnotationRequested',
  annotate: 'CaseAnnotated',
  resolve: 'CaseResolved',
  feedback: 'FeedbackRecorded',
  close: 'CaseClosed',
  reopen: 'CaseReopened',
  withdraw: 'CaseWithdrawn',
  merge: 'CaseMerged',
  'extend-deadline': 'DeadlineExtended',
};

interface Answer {
  /** 0 when no answer came (the process was killed, the connection refused or reset). */
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** A demo account's session on whichever API process answers. */
class Session {
  #token: string | null = null;
  #userId: string | null = null;

  constructor(
    private readonly client: SoakClient,
    readonly username: string,
  ) {}

  async userId(): Promise<string> {
    await this.#login();
    return this.#userId!;
  }

  async call(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    await this.#login();
    const answer = await this.client.send(method, path, body, { ...headers, authorization: `Bearer ${this.#token}` });
    if (answer.status === 401) this.#token = null; // logged in again on the next call
    return answer;
  }

  async #login(): Promise<void> {
    for (let attempt = 1; this.#token === null; attempt++) {
      const answer = await this.client.send('POST', '/api/v1/auth/login', { username: this.username, password: this.client.password });
      if (answer.status === 200) {
        this.#token = answer.body.accessToken as string;
        this.#userId = (answer.body.user as { id: string }).id;
      } else if (attempt >= 20) {
        throw new Error(`${this.username} could not log in: ${answer.status} ${JSON.stringify(answer.body)}`);
      } else {
        await sleep(500);
      }
    }
  }
}

/** HTTP to the stack's API processes, taking them in turn. */
export class SoakClient {
  #next = 0;
  readonly #sessions = new Map<string, Session>();

  constructor(
    private readonly urls: readonly string[],
    readonly password: string,
  ) {}

  as(username: string): Session {
    let session = this.#sessions.get(username);
    if (!session) this.#sessions.set(username, (session = new Session(this, username)));
    return session;
  }

  async send(method: 'GET' | 'POST', path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const base = this.urls[this.#next++ % this.urls.length]!;
    try {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    } catch {
      return { status: 0, body: {} };
    }
  }
}

/** Who does what, among the demo accounts of API.md. */
interface Community {
  readonly unitId: string;
  readonly clerk: string;
  readonly coordinator: string;
  /** The town above, its coordinator and leader, and a town beside it to transfer to. */
  readonly town: string;
  readonly townCoordinator: string;
  readonly townLeader: string;
  readonly county: string;
  readonly countyCoordinator: string;
  readonly countyLeader: string;
}

const COMMUNITIES: readonly Community[] = [
  {
    unitId: 'hd-dg-1',
    clerk: 'hd-dg-1.clerk',
    coordinator: 'hd-dg-1.coordinator',
    town: 'hd-dg',
    townCoordinator: 'hd-dg.coordinator',
    townLeader: 'hd-dg.leader',
    county: 'hd',
    countyCoordinator: 'hd.coordinator',
    countyLeader: 'hd.leader',
  },
  {
    unitId: 'hx-xh-1',
    clerk: 'hx-xh-1.clerk',
    coordinator: 'hx-xh-1.coordinator',
    town: 'hx-xh',
    townCoordinator: 'city.coordinator',
    townLeader: 'city.leader',
    county: 'hx',
    countyCoordinator: 'city.coordinator',
    countyLeader: 'city.leader',
  },
];

const KINDS = ['suggestion', 'grievance', 'dispute', 'risk', 'hardship'] as const;
const CHANNELS = ['hotline', 'walk_in', 'mailbox', 'visit', 'web'] as const;
const TOPICS = ['楼道堆物', '停车位纠纷', '噪音扰民', '路灯不亮', '垃圾清运不及时', '邻里漏水', '老人无人照料', '广场舞场地', '井盖松动', '物业收费'];

/** Stories: the moves a case goes through, each ending a clock on time or leaving it to run out. */
export const STORIES = [
  'closed satisfied',
  'annotated then closed',
  'escalated, redone, closed',
  'transferred then accepted',
  'reopened after closing',
  'rejected',
  'withdrawn',
  'merged',
  'extended and left running',
  'left unaccepted',
  'left in coordination',
  'left awaiting annotation',
  'left uncalled',
] as const;
export type Story = (typeof STORIES)[number];

export interface LoadOptions {
  readonly client: SoakClient;
  /** Each story loop draws from a generator of its own, seeded from this. */
  readonly seed: number;
  /** Story loops running side by side. */
  readonly concurrency: number;
  /** No story starts after this (epoch ms). */
  readonly until: number;
  /** A clock whose due time is nearer than this is left to run out: the load never races a timer (ms). */
  readonly clearOfDueMs: number;
}

export interface LoadResult {
  readonly acked: readonly AckedCommand[];
  /** Commands by outcome: `accept 200`, `accept 0` (no answer), `accept 409` … */
  readonly outcomes: ReadonlyMap<string, number>;
  readonly stories: number;
}

/** Gives up on the story: the case stays as it is, and its running clocks run out. */
class StoryEnds extends Error {}

/** Runs the load until `until`, then waits for the stories under way to end. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const acked: AckedCommand[] = [];
  const outcomes = new Map<string, number>();
  let serial = 0;
  let stories = 0;
  const { client } = options;
  const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);

  const loop = async (random: SeededRandom) => {
    /** Files a case; retried with the same Idempotency-Key until an answer comes, as a careful client does. */
    const file = async (community: Community, label: string): Promise<string> => {
      const kind = random.pick(KINDS);
      const body = {
        kind,
        title: `${random.pick(TOPICS)} ${label}`,
        description: `压力测试案件 ${label}：${random.pick(TOPICS)}，请协调处理。`,
        channel: random.pick(CHANNELS),
        unitId: community.unitId,
        urgency: random.chance(0.2) ? 'urgent' : 'normal',
        filer: { name: '张三', phone: '13800000000', anonymous: false },
        ...(kind === 'dispute' ? { parties: [{ name: '李四', role: '邻居' }] } : {}),
      };
      const key = randomUUID();
      for (let attempt = 1; ; attempt++) {
        const answer = await client.as(community.clerk).call('POST', '/api/v1/cases', body, { 'idempotency-key': key });
        count(`file ${answer.status}`);
        if (answer.status === 201) {
          const id = answer.body.id as string;
          acked.push({ action: 'file', caseId: id, revision: answer.body.revision as number, position: answer.body.position as number });
          return id;
        }
        if ((answer.status !== 0 && answer.status < 500) || attempt >= 10) throw new StoryEnds();
      await sleep(300);
    }
    };

    /** One move; a refusal or no answer ends the story (a move whose answer was lost is not repeated). */
    const move = async (username: string, caseId: string, action: string, fields: Record<string, unknown>): Promise<void> => {
      await clearOfDue(username, caseId);
      const answer = await client.as(username).call('POST', `/api/v1/cases/${caseId}/${action}`, fields);
      count(`${action} ${answer.status}`);
      if (answer.status !== 200) throw new StoryEnds();
      acked.push({ action, caseId, revision: answer.body.revision as number, position: answer.body.position as number });
      await sleep(random.int(50, 400));
    };

    /** Ends the story when a clock of the case is about to run out (or has), so its timer is never raced. */
    const clearOfDue = async (username: string, caseId: string): Promise<void> => {
      const answer = await client.as(username).call('GET', `/api/v1/cases/${caseId}`);
      if (answer.status !== 200) throw new StoryEnds();
      const deadlines = (answer.body.deadlines ?? []) as { dueAt: string; state: string }[];
      const soonest = Math.min(...deadlines.filter((d) => d.state === 'running' || d.state === 'warned' || d.state === 'breached').map((d) => Date.parse(d.dueAt)));
      if (soonest - Date.now() < options.clearOfDueMs) throw new StoryEnds();
    };

    /** A text of the story's own: the serial makes every command's data unique, so a command applied twice shows. */
    let moves = 0;
    const tell = (label: string, what: string) => `${what} ${label}.${++moves}`;

    const play = async (story: Story, label: string): Promise<void> => {
      const c = random.pick(COMMUNITIES);
      const id = await file(c, label);
      const note = (username: string) => move(username, id, 'notes', { type: random.pick(['contact', 'visit', 'mediation', 'note']), text: tell(label, '已电话联系当事人') });
      const resolve = (username: string) => move(username, id, 'resolve', { outcome: random.pick(['resolved', 'mediated', 'partially_adopted']), summary: tell(label, '已协调解决') });
      switch (story) {
        case 'closed satisfied':
          await move(c.coordinator, id, 'accept', { note: tell(label, '受理') });
          await move(c.coordinator, id, 'assign', { assigneeId: await client.as(c.coordinator).userId() });
          await note(c.coordinator);
          await resolve(c.coordinator);
          await move(c.coordinator, id, 'feedback', { satisfaction: random.pick(['satisfied', 'basically_satisfied']), comment: tell(label, '满意') });
          return;
        case 'annotated then closed':
          await move(c.coordinator, id, 'accept', {});
          await move(c.coordinator, id, 'request-annotation', { summary: tell(label, '提请领导批示') });
          await move(c.townLeader, id, 'annotate', { instruction: tell(label, '请抓紧办理'), ...(random.chance(0.5) ? {} : { assignToUnitId: c.unitId }) });
          await resolve(c.coordinator);
          await move(c.coordinator, id, 'close', { summary: tell(label, '回访办结') });
          return;
        case 'escalated, redone, closed':
          await move(c.coordinator, id, 'escalate', { reason: tell(label, '需上级协调') });
          await move(c.townCoordinator, id, 'accept', {});
          await resolve(c.townCoordinator);
          await move(c.townCoordinator, id, 'feedback', { satisfaction: 'unsatisfied', comment: tell(label, '不满意') });
          await note(c.townCoordinator);
          await resolve(c.townCoordinator);
          await move(c.townCoordinator, id, 'close', { summary: tell(label, '重办后办结') });
          return;
        case 'transferred then accepted':
          await move(c.coordinator, id, 'escalate', { reason: tell(label, '上报') });
          if (c.town === 'hd-dg') {
            await move(c.countyCoordinator, id, 'transfer', { toUnitId: 'hd-ll', reason: tell(label, '属地转办') });
            await move(c.countyCoordinator, id, 'accept', {});
            await resolve(c.countyCoordinator);
          } else {
            await move(c.townCoordinator, id, 'accept', {});
          }
          return;
        case 'reopened after closing':
          await move(c.coordinator, id, 'accept', {});
          await resolve(c.coordinator);
          await move(c.coordinator, id, 'close', { summary: tell(label, '办结') });
          await move(c.coordinator, id, 'reopen', { reason: tell(label, '当事人再次反映') });
          await resolve(c.coordinator);
          await move(c.coordinator, id, 'close', { summary: tell(label, '再次办结') });
          return;
        case 'rejected':
          await move(c.coordinator, id, 'reject', { reason: tell(label, '不属于受理范围') });
          return;
        case 'withdrawn':
          await move(c.coordinator, id, 'accept', {});
          await move(c.clerk, id, 'withdraw', { reason: tell(label, '当事人撤回') });
          return;
        case 'merged': {
          const other = await file(c, `${label}b`);
          await move(c.coordinator, other, 'merge', { intoCaseId: id });
          await move(c.coordinator, id, 'accept', {});
          return;
        }
        case 'extended and left running':
          await move(c.coordinator, id, 'accept', {});
          await move(c.coordinator, id, 'request-annotation', { summary: tell(label, '提请批示') });
          await move(c.townLeader, id, 'extend-deadline', { clock: 'annotate', workingDays: 1, reason: tell(label, '需调研') });
          return;
        case 'left unaccepted':
          return;
        case 'left in coordination':
          await move(c.coordinator, id, 'accept', {});
          await note(c.coordinator);
          return;
        case 'left awaiting annotation':
          await move(c.coordinator, id, 'accept', {});
          await move(c.coordinator, id, 'request-annotation', { summary: tell(label, '提请批示') });
          return;
        case 'left uncalled':
          await move(c.coordinator, id, 'accept', {});
          await resolve(c.coordinator);
          return;
      }
    };

    while (Date.now() < options.until) {
      const story = random.pick(STORIES);
      const label = `#${++serial}`;
      stories++;
      try {
        await play(story, label);
      } catch (error) {
        if (!(error instanceof StoryEnds)) throw error;
      }
      await sleep(random.int(100, 600));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => loop(new SeededRandom(options.seed * 1_000 + i))));
  return { acked, outcomes, stories };
}
