import type { Actor } from '../actor.js';
import type { CaseCommand } from '../case/commands.js';
import { fold } from '../case/evolve.js';
import type { CaseAction } from '../case/permissions.js';
import type { CaseStatus, ExistingCase } from '../case/state.js';
import type { SlaClock } from '../case/vocabulary.js';
import { by, caseFiled, OTHER_CASE_ID, org, withMeta } from './fixtures.js';

/** An open case at `unitId` to merge into. */
export function openTarget(unitId: string): ExistingCase {
  return fold(withMeta([caseFiled(unitId, { caseId: OTHER_CASE_ID, number: 'MY-2026-000002' })])) as ExistingCase;
}

/**
 * A command for `action` whose own fields are valid for the case, so that only role, scope,
 * state and the org tree decide whether it goes through.
 */
export function validCommand(action: CaseAction, actor: Actor, current: ExistingCase): CaseCommand {
  const on = by(actor, current.id);
  switch (action) {
    case 'accept':
      return { ...on, type: 'AcceptCase', note: '已受理' };
    case 'reject':
      return { ...on, type: 'RejectCase', reason: '不属于受理范围' };
    case 'assign':
      return { ...on, type: 'AssignCase', assignee: { userId: 'assignee', roles: ['coordinator'], unitId: current.unitId } };
    case 'notes':
      return { ...on, type: 'AddNote', noteType: 'contact', text: '电话联系当事人' };
    case 'transfer':
      // Without a sibling the move is refused before the target is looked at.
      return { ...on, type: 'TransferCase', toUnitId: org.siblingsOf(current.unitId)[0]?.id ?? 'hx', reason: '属地管辖' };
    case 'escalate':
      return { ...on, type: 'EscalateCase', reason: '需上级协调' };
    case 'request-annotation':
      return { ...on, type: 'RequestAnnotation', summary: '建议领导批示' };
    case 'annotate':
      return { ...on, type: 'AnnotateCase', instruction: '请抓紧办理' };
    case 'resolve':
      return { ...on, type: 'ResolveCase', outcome: 'mediated', summary: '双方达成调解协议' };
    case 'feedback':
      return { ...on, type: 'RecordFeedback', satisfaction: 'satisfied' };
    case 'close':
      return { ...on, type: 'CloseCase', summary: '结案' };
    case 'reopen':
      return { ...on, type: 'ReopenCase', reason: '问题复发' };
    case 'withdraw':
      return { ...on, type: 'WithdrawCase', reason: '当事人撤回' };
    case 'merge':
      return { ...on, type: 'MergeCase', intoCaseId: OTHER_CASE_ID, target: openTarget(current.unitId) };
    case 'extend-deadline':
      return { ...on, type: 'ExtendDeadline', clock: clockRunningIn(current.status), workingDays: 5, reason: '需协调多个部门' };
  }
}

/** The clock a case of `historyFor(status)` has running, for an extension that fits the clocks. */
function clockRunningIn(status: CaseStatus): SlaClock {
  if (status === 'filed') return 'accept';
  if (status === 'resolved') return 'callback';
  return 'resolve';
}
