import { describe, expect, it } from '@jest/globals';
import type { Actor } from '../actor.js';
import { caseClocks } from '../sla/clocks.js';
import { DEFAULT_SLA_POLICY } from '../sla/policy.js';
import { actors, CASE_ID, org } from '../testing/fixtures.js';
import type { CaseCommand } from './commands.js';
import { decide } from './decide.js';
import type { CaseEventWithMeta } from './events.js';
import { evolve, fold } from './evolve.js';
import { allowedActions, canRead, eventMetaFor } from './permissions.js';
import { initialState, type CaseState, type ExistingCase } from './state.js';

/** Runs commands one after another as the command handler does: decide, then record with metadata. */
class CaseStory {
  state: CaseState = initialState;
  readonly history: CaseEventWithMeta[] = [];
  private clock = 0;

  run(actor: Actor, fields: DistributiveOmit<CaseCommand, 'caseId' | 'actor' | 'at'>): ExistingCase {
    this.clock += 1;
    const at = `2026-03-${String(this.clock).padStart(2, '0')}T09:00:00+08:00`;
    const command = { ...fields, caseId: CASE_ID, actor, at } as CaseCommand;
    const meta = eventMetaFor(command);
    const clocks = caseClocks(this.history, DEFAULT_SLA_POLICY);
    for (const event of decide(command, this.state, { org, clocks })) {
      this.history.push({ event, meta });
      this.state = evolve(this.state, event, meta);
    }
    return this.state as ExistingCase;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

describe('the whole road of a dispute', () => {
  it('climbs to the city, is handed down under a leader’s annotation, is redone once, and closes', () => {
    const story = new CaseStory();
    const { hdDg1Clerk, hdDg1Coordinator, hdDgCoordinator, hdCoordinator, cityCoordinator, cityLeader } = actors;

    expect(
      story.run(hdDg1Clerk, {
        type: 'FileCase',
        number: 'MY-2026-000042',
        kind: 'dispute',
        title: '小区停车位纠纷',
        description: '两户居民因停车位归属发生争执，多次协商未果。',
        channel: 'walk_in',
        unitId: 'hd-dg-1',
        filer: { name: '王五', phone: '13900000000', anonymous: false },
        parties: [
          { name: '王五', role: '业主' },
          { name: '赵六', role: '业主' },
        ],
      }),
    ).toMatchObject({ status: 'filed', unitId: 'hd-dg-1', filedUnitId: 'hd-dg-1' });

    expect(story.run(hdDg1Coordinator, { type: 'EscalateCase', reason: '涉及物业，需街道协调' })).toMatchObject({ status: 'filed', unitId: 'hd-dg' });
    expect(story.run(hdDgCoordinator, { type: 'EscalateCase', reason: '涉及规划，需区里协调' })).toMatchObject({ status: 'filed', unitId: 'hd' });
    expect(story.run(hdCoordinator, { type: 'EscalateCase', reason: '需市级部门协调' })).toMatchObject({ status: 'filed', unitId: 'sf' });
    expect(allowedActions(story.state, cityCoordinator, org)).not.toContain('escalate');

    story.run(cityCoordinator, { type: 'AcceptCase' });
    expect(story.run(cityCoordinator, { type: 'RequestAnnotation', summary: '建议由属地社区牵头调解' })).toMatchObject({
      status: 'awaiting_annotation',
      pendingAnnotation: { summary: '建议由属地社区牵头调解', requestedBy: 'city.coordinator' },
    });
    expect(allowedActions(story.state, cityLeader, org)).toEqual(['annotate', 'extend-deadline']);

    expect(
      story.run(cityLeader, { type: 'AnnotateCase', instruction: '请东关社区牵头调解，限期办结', assignToUnitId: 'hd-dg-1' }),
    ).toMatchObject({ status: 'in_coordination', unitId: 'hd-dg-1', supervised: true, pendingAnnotation: null });

    story.run(hdDg1Coordinator, { type: 'AddNote', noteType: 'mediation', text: '组织双方现场调解' });
    expect(story.run(hdDg1Coordinator, { type: 'ResolveCase', outcome: 'mediated', summary: '双方签订调解协议' })).toMatchObject({
      status: 'resolved',
      resolution: { outcome: 'mediated', summary: '双方签订调解协议' },
    });
    expect(story.run(hdDg1Coordinator, { type: 'RecordFeedback', satisfaction: 'unsatisfied', comment: '协议未履行' })).toMatchObject({
      status: 'in_coordination',
      unitId: 'hd-dg-1',
      resolution: null,
    });
    story.run(hdDg1Coordinator, { type: 'ResolveCase', outcome: 'resolved', summary: '督促履行协议，车位已划定' });
    const closed = story.run(hdDg1Coordinator, { type: 'RecordFeedback', satisfaction: 'satisfied' });

    expect(closed).toMatchObject({
      status: 'closed',
      number: 'MY-2026-000042',
      unitId: 'hd-dg-1',
      filedUnitId: 'hd-dg-1',
      supervised: true,
      unitsVisited: ['hd-dg-1', 'hd-dg', 'hd', 'sf'],
      annotations: [{ instruction: '请东关社区牵头调解，限期办结', assignToUnitId: 'hd-dg-1', actorId: 'city.leader' }],
      notes: [{ type: 'mediation', text: '组织双方现场调解', actorId: 'hd-dg-1.coordinator' }],
      feedback: [
        { satisfaction: 'unsatisfied', comment: '协议未履行' },
        { satisfaction: 'satisfied', comment: null },
      ],
      resolution: { outcome: 'resolved', summary: '督促履行协议，车位已划定' },
      createdAt: '2026-03-01T09:00:00+08:00',
      updatedAt: '2026-03-12T09:00:00+08:00',
    });
    expect(story.history.map(({ event }) => event.type)).toEqual([
      'CaseFiled',
      'CaseEscalated',
      'CaseEscalated',
      'CaseEscalated',
      'CaseAccepted',
      'AnnotationRequested',
      'CaseAnnotated',
      'NoteAdded',
      'CaseResolved',
      'FeedbackRecorded',
      'CaseResolved',
      'FeedbackRecorded',
    ]);
    expect(story.history.map(({ meta }) => meta.actorRole)).toEqual([
      'clerk',
      ...Array<string>(5).fill('coordinator'),
      'leader',
      ...Array<string>(5).fill('coordinator'),
    ]);

    // Replaying the log gives the same case; everyone it passed through can still read it.
    expect(fold(story.history)).toEqual(closed);
    expect([hdDg1Clerk, hdDgCoordinator, hdCoordinator, cityLeader].every((actor) => canRead(closed, actor, org))).toBe(true);
    expect(canRead(closed, actors.hxXh1Coordinator, org)).toBe(false);
    expect(allowedActions(closed, hdDg1Coordinator, org)).toEqual(['reopen']);
  });
});
