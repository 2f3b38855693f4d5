import type { OrgLevel } from '../org-tree.js';

/** The values a case's fields take (API.md, "Cases: commands"). */

export const CASE_KINDS = ['suggestion', 'grievance', 'dispute', 'risk', 'hardship', 'visit'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

export const CHANNELS = ['hotline', 'walk_in', 'mailbox', 'visit', 'web', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

export const URGENCIES = ['normal', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** Why a `visit` case was made: the six mandatory visits (六必访). */
export const VISIT_REASONS = ['family_conflict', 'hospital', 'bereavement', 'hardship', 'festival', 'important_event'] as const;
export type VisitReason = (typeof VISIT_REASONS)[number];

export const NOTE_TYPES = ['contact', 'visit', 'mediation', 'note'] as const;
export type NoteType = (typeof NOTE_TYPES)[number];

export const RESOLUTION_OUTCOMES = ['resolved', 'mediated', 'adopted', 'partially_adopted', 'not_adopted', 'unresolvable'] as const;
export type ResolutionOutcome = (typeof RESOLUTION_OUTCOMES)[number];

export const SATISFACTION_LEVELS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export type Satisfaction = (typeof SATISFACTION_LEVELS)[number];

/** The SLA clocks of DESIGN.md: accepting at a unit, resolving, annotating, calling the filer back. */
export const SLA_CLOCKS = ['accept', 'resolve', 'annotate', 'callback'] as const;
export type SlaClock = (typeof SLA_CLOCKS)[number];

/**
 * The most characters each free-text field takes (API.md); longer text is refused. The API
 * validates with these and the console checks forms against them before sending.
 */
export const TEXT_LIMITS = {
  title: 200,
  description: 5000,
  personName: 50,
  partyRole: 50,
  address: 200,
  reason: 2000,
  comment: 2000,
  summary: 5000,
  instruction: 5000,
  noteText: 5000,
  attachmentName: 200,
  attachmentDescription: 500,
  adoptionBody: 5000,
  adoptionNote: 2000,
} as const;

/**
 * The most entries of each kind one case holds (API.md, "Per-case limits"); a command that would
 * add one more is refused (limit_reached).
 */
export const CASE_LIMITS = {
  notes: 2_000,
  attachments: 50,
  adoptions: 100,
} as const;

/**
 * The levels at which a reported opinion can be adopted or annotated (采用 / 批示): the org tree's
 * levels down to the community, and the two above the city that a city's network reports to.
 */
export const ADOPTION_LEVELS = ['community', 'town', 'county', 'city', 'province', 'national'] as const;
export type AdoptionLevel = (typeof ADOPTION_LEVELS)[number];

/** The adoption level of a unit at an org level: a grid's staff count as their community's. */
export function adoptionLevelOf(orgLevel: OrgLevel): AdoptionLevel {
  return orgLevel === 'grid' ? 'community' : orgLevel;
}

/** `adopted`: the opinion was taken up (采用); `annotated`: a leader wrote an instruction on it (批示). */
export const ADOPTION_KINDS = ['adopted', 'annotated'] as const;
export type AdoptionKind = (typeof ADOPTION_KINDS)[number];

/** An adoption as the case records it; the points it earns are looked up when the appraisal is made. */
export type AdoptionFacts = {
  readonly level: AdoptionLevel;
  readonly kind: AdoptionKind;
  /** What was adopted, or the leader's instruction. */
  readonly body: string;
  readonly note: string | null;
  /** The bulletin (简报) the opinion was reported in, when it was adopted from one. */
  readonly bulletinId: string | null;
};

/** What an attached file is to the case (API.md, "Attachments"). */
export const ATTACHMENT_KINDS = ['photo', 'document', 'audio', 'agreement'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/** The types a file may have, as read from its content (never from its name or a header). */
export const ATTACHMENT_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf', 'audio/mpeg', 'audio/mp4', 'audio/wav'] as const;
export type AttachmentMediaType = (typeof ATTACHMENT_MEDIA_TYPES)[number];

/** A file as the case records it: the stored bytes are named by their SHA-256, after image metadata was stripped. */
export type AttachmentFacts = {
  readonly attachmentId: string;
  /** Hex SHA-256 of the stored bytes. */
  readonly sha256: string;
  readonly size: number;
  readonly mediaType: AttachmentMediaType;
  /** The file name the uploader gave, cleaned of any path. */
  readonly name: string;
  readonly kind: AttachmentKind;
  readonly description: string | null;
};

/** A phone number: digits, optionally with a leading + and with - or spaces. */
export const PHONE_PATTERN = /^\+?[0-9][0-9\- ]{4,19}$/;

export type Filer = {
  readonly name: string;
  readonly phone: string | null;
  readonly anonymous: boolean;
};

/** A side of a dispute. */
export type Party = {
  readonly name: string;
  readonly role: string;
};

export type CaseLocation = {
  readonly address: string;
  readonly lat?: number;
  readonly lng?: number;
};

/** What the filer reports, as recorded when the case is filed. */
export type CaseFiling = {
  readonly kind: CaseKind;
  readonly title: string;
  readonly description: string;
  readonly channel: Channel;
  /** The unit the case is filed at. */
  readonly unitId: string;
  readonly urgency: Urgency;
  readonly filer: Filer;
  readonly parties: readonly Party[];
  /** Set for `visit` cases only. */
  readonly visitReason: VisitReason | null;
  readonly occurredAt: string | null;
  readonly location: CaseLocation | null;
};
