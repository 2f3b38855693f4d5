import { v7 as uuidv7 } from 'uuid';
import { CASE_KINDS, CURRENT_SCHEMA_VERSION, type CaseEvent, type CaseKind } from '#domain';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import type { EventStore, NewEvent } from '#event-store';

/** Where generated cases are filed: the demo tree's communities, with their town above. */
const COMMUNITIES = [
  { unitId: 'hd-dg-1', town: 'hd-dg' },
  { unitId: 'hx-xh-1', town: 'hx-xh' },
  { unitId: 'hd-ll-1', town: 'hd-ll' },
  { unitId: 'hx-ty-1', town: 'hx-ty' },
] as const;

const HOUR = 3_600_000;

type Actor = { readonly actorId: string; readonly actorRole: string; readonly unitId: string };

/**
 * The ten events of a whole case's life, as the workflow records them: filed by a clerk,
 * called back, accepted and assigned by the coordinator, visited, reported to the town leader for
 * annotation, resolved and closed by the filer's feedback. Every fourth case is escalated to the
 * town instead of the call. Times run from `filedAt`, an hour between events.
 */
export function caseStory(serial: number, filedAt: Date): NewEvent[] {
  const caseId = uuidv7();
  const { unitId, town } = COMMUNITIES[serial % COMMUNITIES.length]!;
  const kind: CaseKind = CASE_KINDS[serial % CASE_KINDS.length]!;
  const escalated = serial % 4 === 0;
  const handledAt = escalated ? town : unitId;
  const clerk: Actor = { actorId: `${unitId}.clerk`, actorRole: 'clerk', unitId };
  const coordinator = { actorId: `${handledAt}.coordinator`, actorRole: 'coordinator', unitId: handledAt };
  const leader = { actorId: `${town}.leader`, actorRole: 'leader', unitId: town };

  const steps: [CaseEvent, Actor][] = [
    [
      {
        type: 'CaseFiled',
        data: {
          caseId,
          number: `MY-2026-${String(serial + 1).padStart(6, '0')}`,
          kind,
          title: `${kind === 'dispute' ? '邻里纠纷' : '居民诉求'}第${serial + 1}号`,
          description: '居民反映小区停车位紧张，外来车辆占用消防通道，希望社区协调物业解决。',
          channel: serial % 2 === 0 ? 'walk_in' : 'hotline',
          unitId,
          urgency: serial % 10 === 0 ? 'urgent' : 'normal',
          filer: { name: '张三', phone: '13812345678', anonymous: false },
          parties: kind === 'dispute' ? [{ name: '李四', role: '对方当事人' }] : [],
          visitReason: kind === 'visit' ? 'hardship' : null,
          occurredAt: null,
          location: { address: '东关街道1号楼' },
        },
      },
      clerk,
    ],
    escalated
      ? [{ type: 'CaseEscalated', data: { fromUnitId: unitId, toUnitId: town, reason: '涉及多个社区，需街道协调' } }, { ...coordinator, actorId: `${unitId}.coordinator`, unitId }]
      : [{ type: 'NoteAdded', data: { noteType: 'contact', text: '电话联系当事人，约定走访时间 ☎️' } }, clerk],
    [{ type: 'CaseAccepted', data: { note: '已受理' } }, coordinator],
    [{ type: 'CaseAssigned', data: { assigneeId: `${handledAt}.coordinator`, assigneeUnitId: handledAt } }, coordinator],
    [{ type: 'NoteAdded', data: { noteType: 'visit', text: '入户走访，了解诉求细节 🏠' } }, coordinator],
    [{ type: 'AnnotationRequested', data: { summary: '需协调物业与交警，建议领导批示' } }, coordinator],
    [{ type: 'CaseAnnotated', data: { instruction: '请街道牵头，限期解决', assignToUnitId: null, fromUnitId: handledAt } }, leader],
    [{ type: 'NoteAdded', data: { noteType: 'mediation', text: '组织三方协调会，达成初步方案' } }, coordinator],
    [{ type: 'CaseResolved', data: { outcome: kind === 'suggestion' ? 'adopted' : 'mediated', summary: '已划定临时停车区域' } }, coordinator],
    [{ type: 'FeedbackRecorded', data: { satisfaction: serial % 5 === 0 ? 'basically_satisfied' : 'satisfied', comment: null } }, coordinator],
  ];
  const correlationId = uuidv7();
  return steps.map(([event, actor], index) => ({
    id: uuidv7(),
    type: event.type,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    data: event.data,
    metadata: { ...actor, at: new Date(filedAt.getTime() + index * HOUR).toISOString(), correlationId, causationId: null },
  }));
}

/** The events of each case story. */
export const EVENTS_PER_CASE = 10;
/** The events of each story appended in the first pass; the rest come in the second. */
const FIRST_HALF = 5;

/**
 * Appends whole case stories making up about `events` events, `writers` appends at a time, in two
 * halves so that each case's events lie far apart in the log, as they do in real life. Answers
 * how many events it appended; `log` hears of its progress.
 */
export async function appendCaseStories(store: EventStore, events: number, writers: number, log: (line: string) => void = () => undefined): Promise<number> {
  const cases = Math.ceil(events / EVENTS_PER_CASE);
  const start = Date.parse('2026-03-02T09:00:00+08:00');
  const stories: NewEvent[][] = [];
  for (let serial = 0; serial < cases; serial++) stories.push(caseStory(serial, new Date(start + serial * 60_000)));

  const began = performance.now();
  let appended = 0;
  const half = async (pick: (story: NewEvent[]) => NewEvent[], expected: (story: NewEvent[]) => 'no_stream' | number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let serial = next++; serial < cases; serial = next++) {
          const story = stories[serial]!;
          const picked = pick(story);
          await store.appendToStream(`case-${String(story[0]!.data.caseId)}`, picked, { expectedRevision: expected(story) });
          appended += picked.length;
          if (appended % 100_000 < picked.length) log(`generated ${appended.toLocaleString('en-US')} events`);
        }
      }),
    );
  };
  await half((story) => story.slice(0, FIRST_HALF), () => 'no_stream');
  await half((story) => story.slice(FIRST_HALF), () => FIRST_HALF - 1);
  log(`generated ${appended.toLocaleString('en-US')} events of ${cases.toLocaleString('en-US')} cases in ${((performance.now() - began) / 1000).toFixed(0)} s`);
  return appended;
}

/** Throws unless the case view holds every case of `events` events of stories, each closed, as the stories end. */
export async function assertEveryCaseClosed(pool: Pool, events: number): Promise<void> {
  const { rows } = await pool.query<{ closed: string }>("SELECT count(*) FILTER (WHERE status = 'closed') AS closed FROM case_view");
  if (Number(rows[0]!.closed) !== Math.ceil(events / EVENTS_PER_CASE)) throw new Error(`the case view holds ${rows[0]!.closed} closed cases, not every generated one`);
}
