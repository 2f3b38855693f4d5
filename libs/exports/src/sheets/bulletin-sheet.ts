import { label, labelsFor, type OrgTree } from '#domain';
import type { BulletinListItem } from '#bulletins';
import { instant, type Column } from '../cells.js';
import { unitName } from './case-sheet.js';

const ZH = labelsFor('zh-CN');

/** One row per bulletin of GET /bulletins, as the list presents it. */
export function bulletinColumns(org: OrgTree): Column<BulletinListItem>[] {
  return [
    { head: '期号', value: (bulletin) => bulletin.issue ?? '', width: 16 },
    { head: '标题', value: (bulletin) => bulletin.title, width: 40 },
    { head: '编发单位', value: (bulletin) => unitName(org, bulletin.unitId), width: 16 },
    { head: '状态', value: (bulletin) => label(ZH.bulletinStatus, bulletin.status) },
    { head: '条目数', value: (bulletin) => bulletin.itemCount },
    { head: '编者按', value: (bulletin) => bulletin.editorNote ?? '', width: 40 },
    { head: '创建时间', value: (bulletin) => instant(bulletin.createdAt), width: 20 },
    { head: '发布时间', value: (bulletin) => instant(bulletin.publishedAt), width: 20 },
  ];
}
