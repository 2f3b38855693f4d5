/**
 * The cases the end-to-end timer benchmark seeds (timers-e2e.ts): made by the domain's own
 * decisions, with the deadlines the command path records, so that the engine's reactor finds a
 * running accept clock due exactly when the benchmark wants it.
 */
import { randomUUID } from 'node:crypto';
import {
  CASE_KINDS,
  CURRENT_SCHEMA_VERSION,
  DEFAULT_SLA_POLICY,
  DEMO_ORG_UNITS,
  NO_CLOCKS,
  OrgTree,
  SYSTEM_ACTOR,
  decide,
  eventMetaFor,
  evolveClocks,
  fold,
  initialState,
  withDeadlines,
  type CaseCommand,
  type CaseEventWithMeta,
  type SlaPolicy,
} from '#domain';
import { newEventId, type NewEvent } from '#event-store';

/** The accept clock of the seeding's policy: each case is filed this long before its due time. */
export const ACCEPT_SECONDS = 3_600;
/** Communities of the demo tree, where the demo accounts include a clerk and a coordinator. */
const COMMUNITIES = ['hd-dg-1', 'hx-xh-1', 'hd-ll-1', 'hx-ty-1'] as const;

const org = new OrgTree(DEMO_ORG_UNITS);
const seedingPolicy: SlaPolicy = { ...DEFAULT_SLA_POLICY, clocks: { ...DEFAULT_SLA_POLICY.clocks, accept: { default: { seconds: ACCEPT_SECONDS }, onBreach: 'notify' } } };

/**
 * A case filed at a community `ACCEPT_SECONDS` before `dueAtMs`, and the warning its accept clock
 * raised: the events the command path would record for these two commands, deadlines included.
 */
export function warnedCase(serial: number, dueAtMs: number): NewEvent[] {
  const caseId = randomUUID();
  const unitId = COMMUNITIES[serial % COMMUNITIES.length]!;
  const kind = CASE_KINDS[serial % CASE_KINDS.length]!;
  const filedAt = new Date(dueAtMs - ACCEPT_SECONDS * 1000).toISOString();
  const filing: CaseCommand = {
    type: 'FileCase',
    caseId,
    actor: { userId: `${unitId}.clerk`, roles: ['clerk'], unitId },
    at: filedAt,
    number: `MY-2026-${String(serial + 1).padStart(6, '0')}`,
    kind,
    title: `居民诉求第${serial + 1}号`,
    description: '居民反映小区停车位紧张，外来车辆占用消防通道，希望社区协调物业解决。',
    channel: 'walk_in',
    unitId,
    urgency: 'normal',
    filer: { name: '张三', phone: '13812345678', anonymous: false },
    parties: kind === 'dispute' ? [{ name: '李四', role: '对方当事人' }] : [],
    visitReason: kind === 'visit' ? 'hardship' : null,
    occurredAt: null,
    location: null,
  };
  const filed = withDeadlines(
    decide(filing, initialState, { org, clocks: [] }).map((event) => ({ event, meta: eventMetaFor(filing) })),
    seedingPolicy,
    NO_CLOCKS,
  );
  const clocks = filed.reduce((current, { event, meta }) => evolveClocks(current, event, meta, seedingPolicy), NO_CLOCKS);
  const accept = clocks.clocks[0]!;
  const warning: CaseCommand = {
    type: 'RaiseSlaWarning',
    caseId,
    actor: SYSTEM_ACTOR,
    at: accept.warnAt,
    clock: 'accept',
    dueAt: accept.dueAt,
    startedAtRevision: accept.startedAtRevision,
  };
  const warned = withDeadlines(
    decide(warning, fold(filed), { org, clocks: clocks.clocks }).map((event) => ({ event, meta: eventMetaFor(warning) })),
    seedingPolicy,
    clocks,
  );
  return [...filed, ...warned].map(({ event, meta }: CaseEventWithMeta, index) => ({
    id: newEventId(),
    type: event.type,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    data: event.data as unknown as Record<string, unknown>,
    metadata: { ...meta, correlationId: index === 0 ? `bench-filing-${serial}` : `bench-warning-${serial}`, causationId: null },
  }));
}
