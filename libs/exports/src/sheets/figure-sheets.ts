import { CASE_KINDS, label, labelsFor, type OrgTree } from '#domain';
import type { ClerkAppraisal, Figures, RankedUnit, ReportScope, UnitRanking } from '#reporting';
import { instant, type CellValue, type Column } from '../cells.js';
import { unitName } from './case-sheet.js';

const ZH = labelsFor('zh-CN');

/** One figure of a label/value sheet. */
export interface FigureRow {
  readonly item: string;
  readonly value: CellValue;
  readonly percent?: boolean;
}

export const FIGURE_COLUMNS: readonly Column<FigureRow>[] = [
  { head: '项目', value: (row) => row.item, width: 30 },
  { head: '数值', value: (row) => row.value, numberFormat: (row) => (row.percent ? 'percent' : 'number'), width: 22 },
];

function byKindRows(prefix: string, byKind: Figures['filed']['byKind']): FigureRow[] {
  return CASE_KINDS.map((kind) => ({ item: `${prefix}·${label(ZH.kind, kind)}`, value: byKind[kind] }));
}

/** The statistics of GET /stats as label/value rows: the scope, the totals, the rates, then month by month. */
export function statisticsRows(figures: ReportScope & Figures, org: OrgTree): FigureRow[] {
  return [
    { item: '统计单位', value: unitName(org, figures.unitId) },
    { item: '统计起始', value: instant(figures.from) },
    { item: '统计截止（不含）', value: instant(figures.to) },
    { item: '登记数', value: figures.filed.total },
    ...byKindRows('登记数', figures.filed.byKind),
    { item: '办结数', value: figures.resolved },
    { item: '矛盾纠纷办结数', value: figures.disputesResolved },
    { item: '领导批示数', value: figures.annotated },
    { item: '响应率', value: figures.responseRate, percent: true },
    { item: '解决率', value: figures.resolutionRate, percent: true },
    { item: '满意率', value: figures.satisfactionRate, percent: true },
    { item: '群众自评满意率', value: figures.selfRatedSatisfactionRate, percent: true },
    { item: '按时办结率', value: figures.onTimeRate, percent: true },
    ...figures.byMonth.flatMap((month) => [
      { item: `${month.month} 登记数`, value: month.filed },
      ...byKindRows(`${month.month} 登记数`, month.byKind),
      { item: `${month.month} 办结数`, value: month.resolved },
      { item: `${month.month} 领导批示数`, value: month.annotated },
    ]),
  ];
}

/** One row per clerk of GET /stats/clerks. */
export function appraisalColumns(org: OrgTree): Column<ClerkAppraisal>[] {
  return [
    { head: '姓名', value: (clerk) => clerk.displayName, width: 14 },
    { head: '用户名', value: (clerk) => clerk.username, width: 18 },
    { head: '所属单位', value: (clerk) => unitName(org, clerk.unitId), width: 16 },
    { head: '报送数', value: (clerk) => clerk.filed },
    { head: '受理数', value: (clerk) => clerk.accepted },
    { head: '批示数', value: (clerk) => clerk.annotated },
    { head: '采纳数', value: (clerk) => clerk.adopted },
    { head: '采用批示数', value: (clerk) => clerk.adoptions },
    { head: '积分', value: (clerk) => clerk.points },
  ];
}

/** A ranked unit with the log point its ranking was computed at, which whoever keeps the sheet needs to check it later. */
export type RankedUnitRow = RankedUnit & Pick<UnitRanking, 'position' | 'anchor'>;

/** One row per child unit of GET /stats/units, in rank order, each with the ranking's log position and anchor. */
export function unitRankingRows(ranking: UnitRanking): RankedUnitRow[] {
  return ranking.units.map((unit) => ({ ...unit, position: ranking.position, anchor: ranking.anchor }));
}

export const UNIT_RANKING_COLUMNS: readonly Column<RankedUnitRow>[] = [
  { head: '排名', value: (unit) => unit.rank },
  { head: '单位', value: (unit) => unit.name, width: 16 },
  { head: '登记数', value: (unit) => unit.filed },
  { head: '响应率', value: (unit) => unit.responseRate, numberFormat: 'percent' },
  { head: '解决率', value: (unit) => unit.resolutionRate, numberFormat: 'percent' },
  { head: '满意率', value: (unit) => unit.satisfactionRate, numberFormat: 'percent' },
  { head: '按时办结率', value: (unit) => unit.onTimeRate, numberFormat: 'percent' },
  { head: '得分', value: (unit) => unit.score },
  { head: '日志位置', value: (unit) => unit.position },
  { head: '锚点哈希', value: (unit) => unit.anchor, width: 66 },
];
