import type { PublicAccess } from './events.js';
import type { AdoptionFacts, AttachmentFacts, NoteType, CaseFiling, ResolutionOutcome, Satisfaction, SlaClock } from './vocabulary.js';

export const CASE_STATUSES = [
  'filed',
  'in_coordination',
  'awaiting_annotation',
  'resolved',
  'closed',
  'rejected',
  'withdrawn',
  'merged',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** States in which work on the case goes on. `closed` leaves only by reopening; the rest are final. */
export const OPEN_STATUSES = ['filed', 'in_coordination', 'awaiting_annotation', 'resolved'] as const satisfies readonly CaseStatus[];

export function isOpen(status: CaseStatus): boolean {
  return (OPEN_STATUSES as readonly CaseStatus[]).includes(status);
}

/** Before the case is filed: its stream has no events. */
export type NoCase = { readonly status: 'none' };

export type CaseNote = {
  readonly type: NoteType;
  readonly text: string;
  readonly actorId: string;
  readonly at: string;
};

export type CaseAnnotation = {
  readonly instruction: string;
  readonly assignToUnitId: string | null;
  readonly actorId: string;
  readonly at: string;
};

export type PendingAnnotation = {
  readonly summary: string;
  readonly requestedBy: string;
  readonly at: string;
};

export type CaseResolution = {
  readonly outcome: ResolutionOutcome;
  readonly summary: string;
  readonly at: string;
};

export type CaseFeedback = {
  readonly satisfaction: Satisfaction;
  readonly comment: string | null;
  readonly at: string;
  /** Given by the resident through the public channel, not recorded by staff on a callback. */
  readonly selfRated: boolean;
};

export type CaseAttachment = AttachmentFacts & {
  readonly actorId: string;
  readonly at: string;
};

export type CaseAdoption = AdoptionFacts & {
  readonly actorId: string;
  readonly at: string;
};

export type DeadlineExtension = {
  readonly clock: SlaClock;
  readonly workingDays: number;
  readonly reason: string;
  readonly at: string;
};

/** A filed case as it stands after its events. `unitId` is where it is now. */
export type ExistingCase = CaseFiling & {
  readonly id: string;
  readonly number: string;
  readonly status: CaseStatus;
  readonly filedUnitId: string;
  readonly assigneeId: string | null;
  readonly notes: readonly CaseNote[];
  readonly annotations: readonly CaseAnnotation[];
  readonly pendingAnnotation: PendingAnnotation | null;
  /** Under supervision (督办): a leader's annotation handed the case to a unit. */
  readonly supervised: boolean;
  /** The current resolution; cleared when the case goes back to coordination. */
  readonly resolution: CaseResolution | null;
  readonly feedback: readonly CaseFeedback[];
  readonly mergedIntoCaseId: string | null;
  /** Every unit the case has been at, in order of arrival: whoever is above one of them may read it. */
  readonly unitsVisited: readonly string[];
  readonly extensions: readonly DeadlineExtension[];
  readonly attachments: readonly CaseAttachment[];
  /** Where the opinion was adopted or annotated (采用 / 批示), oldest first. */
  readonly adoptions: readonly CaseAdoption[];
  /** Set when a resident filed the case through the public channel. */
  readonly publicAccess: PublicAccess | null;
  readonly createdAt: string;
  readonly updatedAt: string;
};

export type CaseState = NoCase | ExistingCase;

export const initialState: CaseState = { status: 'none' };
