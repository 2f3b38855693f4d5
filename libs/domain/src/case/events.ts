import type { RecordedDeadline } from '../sla/clocks.js';
import type { AdoptionFacts, AttachmentFacts, CaseFiling, NoteType, ResolutionOutcome, Satisfaction, SlaClock } from './vocabulary.js';

/** The schema version every case event is written with today. */
export const CURRENT_SCHEMA_VERSION = 1;

export const CASE_EVENT_TYPES = [
  'CaseFiled',
  'CaseAccepted',
  'CaseRejected',
  'CaseAssigned',
  'NoteAdded',
  'CaseTransferred',
  'CaseEscalated',
  'AnnotationRequested',
  'CaseAnnotated',
  'CaseResolved',
  'FeedbackRecorded',
  'CaseReopened',
  'CaseClosed',
  'CaseWithdrawn',
  'CaseMerged',
  'DeadlineExtended',
  'SlaWarningRaised',
  'SlaBreached',
  'AttachmentAdded',
  'SuggestionAdopted',
] as const;
export type CaseEventType = (typeof CASE_EVENT_TYPES)[number];

/** Which SLA clock run an alert belongs to: a clock restarts whenever its trigger recurs. */
export type SlaAlert = {
  readonly clock: SlaClock;
  readonly dueAt: string;
  /** The revision of the event that started this run of the clock. */
  readonly startedAtRevision: number;
};

/** The data each event type carries. */
export type CaseEventDataMap = {
  /**
   * `publicAccess`: filed by a resident through the public channel; `codeDigest` is the salted
   * digest of the access code they were given (the code itself is never stored).
   */
  CaseFiled: { readonly caseId: string; readonly number: string; readonly publicAccess?: PublicAccess } & CaseFiling;
  CaseAccepted: { readonly note: string | null };
  CaseRejected: { readonly reason: string };
  CaseAssigned: { readonly assigneeId: string; readonly assigneeUnitId: string };
  NoteAdded: { readonly noteType: NoteType; readonly text: string };
  /** Arrives as `filed` at a sibling unit. */
  CaseTransferred: { readonly fromUnitId: string; readonly toUnitId: string; readonly reason: string };
  /** Arrives as `filed` at the parent unit. */
  CaseEscalated: { readonly fromUnitId: string; readonly toUnitId: string; readonly reason: string };
  AnnotationRequested: { readonly summary: string };
  /** `assignToUnitId` set: the leader handed the case to that unit, under supervision. */
  CaseAnnotated: { readonly instruction: string; readonly assignToUnitId: string | null; readonly fromUnitId: string };
  CaseResolved: { readonly outcome: ResolutionOutcome; readonly summary: string };
  /** `unsatisfied` sends the case back to coordination; any other answer closes it. */
  FeedbackRecorded: { readonly satisfaction: Satisfaction; readonly comment: string | null };
  CaseReopened: { readonly reason: string };
  CaseClosed: { readonly summary: string };
  CaseWithdrawn: { readonly reason: string };
  CaseMerged: { readonly intoCaseId: string };
  DeadlineExtended: { readonly clock: SlaClock; readonly workingDays: number; readonly reason: string };
  SlaWarningRaised: SlaAlert;
  SlaBreached: SlaAlert;
  AttachmentAdded: AttachmentFacts;
  /** Adopted or annotated at a level (采用 / 批示): earns the filer points in the appraisal. */
  SuggestionAdopted: AdoptionFacts;
};

/** How a resident proves a public filing is theirs: the salted digest of the access code they were shown once. */
export type PublicAccess = { readonly codeDigest: string };

export type CaseEvent = {
  [T in CaseEventType]: { readonly type: T; readonly data: CaseEventDataMap[T] };
}[CaseEventType];

/** Who recorded an event, and when: what evolve needs from the envelope's metadata. */
export type CaseEventMeta = {
  /** ISO 8601 with offset. */
  readonly at: string;
  readonly actorId: string;
  readonly actorRole: string;
  /** The acting user's unit; null for the system actor. */
  readonly unitId: string | null;
  /**
   * The SLA deadlines the event set (runs it started, a run it extended) as the policy in force
   * then made them. Folding takes them as they are, so a later change of policy does not move a
   * deadline already set; events recorded without them are timed by the policy of the fold.
   */
  readonly deadlines?: readonly RecordedDeadline[];
};

export type CaseEventWithMeta = {
  readonly event: CaseEvent;
  readonly meta: CaseEventMeta;
};
