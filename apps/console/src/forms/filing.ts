import {
  CASE_KINDS,
  CHANNELS,
  TEXT_LIMITS,
  URGENCIES,
  VISIT_REASONS,
  type CaseKind,
  type Channel,
  type Urgency,
  type VisitReason,
} from '#domain';
import { checkChoice, checkPhone, checkText, collect, type Problem, type Problems } from './problems.js';

/** The intake form as typed, before it becomes the body of `POST /api/v1/cases`. */
export interface FilingDraft {
  readonly kind: CaseKind | '';
  readonly title: string;
  readonly description: string;
  readonly channel: Channel | '';
  readonly unitId: string;
  readonly urgency: Urgency;
  readonly filerName: string;
  readonly filerPhone: string;
  readonly anonymous: boolean;
  readonly parties: readonly { readonly name: string; readonly role: string }[];
  readonly visitReason: VisitReason | '';
  /** A `datetime-local` value, in the reader's time zone. */
  readonly occurredAt: string;
  readonly address: string;
}

export function emptyDraft(unitId: string): FilingDraft {
  return {
    kind: '',
    title: '',
    description: '',
    channel: '',
    unitId,
    urgency: 'normal',
    filerName: '',
    filerPhone: '',
    anonymous: false,
    parties: [],
    visitReason: '',
    occurredAt: '',
    address: '',
  };
}

/** Only disputes list parties, and only visits take a visit reason. */
export const takesParties = (draft: FilingDraft) => draft.kind === 'dispute';
export const takesVisitReason = (draft: FilingDraft) => draft.kind === 'visit';

/**
 * The API's checks on a filing (FileCaseDto and the domain's), so that a mistake shows beside its
 * field before anything is sent. Keys are the API's field paths, as in its error `details`.
 */
export function checkFiling(draft: FilingDraft, unitIds: readonly string[]): Problems {
  const parties: Record<string, Problem | undefined> = {};
  if (takesParties(draft)) {
    draft.parties.forEach((party, i) => {
      parties[`parties.${i}.name`] = checkText(party.name, { required: true, max: TEXT_LIMITS.personName });
      parties[`parties.${i}.role`] = checkText(party.role, { required: true, max: TEXT_LIMITS.partyRole });
    });
  }
  return collect({
    kind: checkChoice(draft.kind, CASE_KINDS, true),
    title: checkText(draft.title, { required: true, max: TEXT_LIMITS.title }),
    description: checkText(draft.description, { required: true, max: TEXT_LIMITS.description }),
    channel: checkChoice(draft.channel, CHANNELS, true),
    unitId: checkChoice(draft.unitId, unitIds, true),
    urgency: checkChoice(draft.urgency, URGENCIES, true),
    'filer.name': checkText(draft.filerName, { required: !draft.anonymous, max: TEXT_LIMITS.personName }),
    'filer.phone': checkPhone(draft.filerPhone),
    ...parties,
    visitReason: takesVisitReason(draft) ? checkChoice(draft.visitReason, VISIT_REASONS, true) : undefined,
    occurredAt: draft.occurredAt !== '' && Number.isNaN(new Date(draft.occurredAt).getTime()) ? { key: 'v.isoTime' } : undefined,
    'location.address': checkText(draft.address, { required: false, max: TEXT_LIMITS.address }),
  });
}

/** The request body: fields left empty are left out, as the API expects of optional ones. */
export function filingBody(draft: FilingDraft): Record<string, unknown> {
  const filer: Record<string, unknown> = { anonymous: draft.anonymous };
  if (draft.filerName !== '') filer.name = draft.filerName.trim();
  if (draft.filerPhone !== '') filer.phone = draft.filerPhone.trim();
  return {
    kind: draft.kind,
    title: draft.title.trim(),
    description: draft.description.trim(),
    channel: draft.channel,
    unitId: draft.unitId,
    urgency: draft.urgency,
    filer,
    ...(takesParties(draft) && draft.parties.length > 0
      ? { parties: draft.parties.map((party) => ({ name: party.name.trim(), role: party.role.trim() })) }
      : {}),
    ...(takesVisitReason(draft) ? { visitReason: draft.visitReason } : {}),
    ...(draft.occurredAt !== '' ? { occurredAt: new Date(draft.occurredAt).toISOString() } : {}),
    ...(draft.address.trim() !== '' ? { location: { address: draft.address.trim() } } : {}),
  };
}
