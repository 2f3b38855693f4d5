import type { presentCase } from '#cases';
import { label, labelsFor, type OrgTree, type SlaClock } from '#domain';
import { instant, type Column } from '../cells.js';

/** A case as the JSON list and inbox present it: the export's rows are made of exactly that. */
export type PresentedCase = ReturnType<typeof presentCase>;

const ZH = labelsFor('zh-CN');

/** A unit's name in the org tree (its id when the tree no longer holds it). */
export function unitName(org: OrgTree, unitId: string | null): string | null {
  if (unitId === null) return null;
  return org.has(unitId) ? org.get(unitId).name : unitId;
}

function dueAt(item: PresentedCase, clock: SlaClock): Date | null {
  return instant(item.deadlines.find((deadline) => deadline.clock === clock)?.dueAt);
}

/**
 * The columns of a case list (the list and the inbox): values and units by their Chinese labels
 * and names, the filer as the presenter shows them to this reader (masked, or 匿名 with no phone).
 */
export function caseColumns(org: OrgTree): Column<PresentedCase>[] {
  return [
    { head: '编号', value: (item) => item.number, width: 20 },
    { head: '类型', value: (item) => label(ZH.kind, item.kind) },
    { head: '标题', value: (item) => item.title, width: 40 },
    { head: '内容', value: (item) => item.description, width: 60 },
    { head: '状态', value: (item) => label(ZH.status, item.status), width: 14 },
    { head: '当前单位', value: (item) => unitName(org, item.unitId), width: 16 },
    { head: '登记单位', value: (item) => unitName(org, item.filedUnitId), width: 16 },
    { head: '紧急程度', value: (item) => label(ZH.urgency, item.urgency) },
    { head: '来源', value: (item) => label(ZH.channel, item.channel) },
    { head: '反映人', value: (item) => item.filer.name },
    { head: '联系电话', value: (item) => item.filer.phone, width: 16 },
    { head: '走访事由', value: (item) => label(ZH.visitReason, item.visitReason) || null },
    { head: '督办', value: (item) => (item.supervised ? '是' : '否') },
    { head: ZH.deadline.accept, value: (item) => dueAt(item, 'accept'), width: 20 },
    { head: ZH.deadline.resolve, value: (item) => dueAt(item, 'resolve'), width: 20 },
    { head: '办结结果', value: (item) => (item.resolution ? label(ZH.outcome, item.resolution.outcome) : null) },
    { head: '回访评价', value: (item) => label(ZH.satisfaction, item.feedback.at(-1)?.satisfaction) || null },
    { head: '登记时间', value: (item) => instant(item.createdAt), width: 20 },
    { head: '更新时间', value: (item) => instant(item.updatedAt), width: 20 },
  ];
}
