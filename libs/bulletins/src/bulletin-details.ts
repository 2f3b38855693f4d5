import { bulletinItemOf, issueLabel, labelsFor, type BulletinItem, type BulletinStatus, type CaseAdoption, type CaseState, type Language, type OrgTree } from '#domain';
import type { BulletinRecord } from './bulletin-reader.js';
import type { CaseSource } from './bulletin-commands.js';

/** An adoption recorded on a case with a bulletin's id: how a leader annotated or adopted an item. */
export type ItemAdoption = CaseAdoption;

export interface BulletinDetailItem extends BulletinItem {
  /** 1, 2, 3… as printed. */
  readonly position: number;
  readonly kindLabel: string;
  /** The adoptions recorded on the case with this bulletin's id, oldest first. */
  readonly adoptions: readonly ItemAdoption[];
}

/** `GET /api/v1/bulletins/{id}`: the bulletin with its items. */
export interface BulletinDetail {
  readonly id: string;
  readonly unitId: string;
  readonly unitName: string;
  readonly title: string;
  readonly status: BulletinStatus;
  readonly editorNote: string | null;
  readonly caseIds: readonly string[];
  readonly year: number | null;
  readonly sequence: number | null;
  readonly issue: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly publishedAt: string | null;
  readonly publishedBy: string | null;
  readonly revision: number;
  /** Published: frozen at publication. A draft: the cases as they stand now. */
  readonly items: readonly BulletinDetailItem[];
}

/**
 * The bulletin as its readers see it, in a language. A published bulletin's items are the frozen
 * copies; a draft's are its cases as they stand now, a preview of what publishing would freeze.
 * Each item carries the adoptions its case has with this bulletin's id (leaders' annotations).
 */
export async function bulletinDetail({ bulletin, revision }: BulletinRecord, cases: CaseSource, org: OrgTree, language: Language = 'zh-CN'): Promise<BulletinDetail> {
  const states = await Promise.all(bulletin.caseIds.map(async (caseId) => (await cases.current(caseId)).state));
  const frozen = bulletin.publication?.items;
  const items = frozen ?? states.flatMap((state) => (state.status === 'none' ? [] : [bulletinItemOf(state, org)]));
  const labels = labelsFor(language);
  const { publication } = bulletin;
  return {
    id: bulletin.id,
    unitId: bulletin.unitId,
    unitName: org.has(bulletin.unitId) ? org.get(bulletin.unitId).name : bulletin.unitId,
    title: bulletin.title,
    status: bulletin.status,
    editorNote: bulletin.editorNote,
    caseIds: bulletin.caseIds,
    year: publication?.year ?? null,
    sequence: publication?.sequence ?? null,
    issue: publication ? issueLabel(publication, language) : null,
    createdAt: bulletin.createdAt,
    createdBy: bulletin.createdBy,
    updatedAt: bulletin.updatedAt,
    publishedAt: publication?.at ?? null,
    publishedBy: publication?.by ?? null,
    revision,
    items: items.map((item, index) => ({
      ...item,
      position: index + 1,
      kindLabel: labels.kind[item.kind],
      adoptions: adoptionsOf(states.find((state) => state.status !== 'none' && state.id === item.caseId), bulletin.id),
    })),
  };
}

/** The adoptions a case holds with this bulletin's id. */
function adoptionsOf(state: CaseState | undefined, bulletinId: string): ItemAdoption[] {
  if (!state || state.status === 'none') return [];
  // A case folded before adoptions existed has no list yet.
  return (state.adoptions ?? []).filter((adoption) => adoption.bulletinId === bulletinId);
}
