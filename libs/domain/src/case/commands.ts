import type { Actor, UserActor } from '../actor.js';
import type { PublicAccess, SlaAlert } from './events.js';
import type { CaseState } from './state.js';
import type { AdoptionKind, AdoptionLevel, AttachmentFacts, CaseFiling, NoteType, ResolutionOutcome, Satisfaction, SlaClock } from './vocabulary.js';

/** What every command carries: the case, who acts, and when (the domain reads no clock). */
type CommandOn<T extends string> = {
  readonly type: T;
  readonly caseId: string;
  readonly actor: Actor;
  /** ISO 8601 with offset. */
  readonly at: string;
};

/** Filing fields a caller may leave out; decide fills in the defaults. */
type OptionalFilingField = 'urgency' | 'parties' | 'visitReason' | 'occurredAt' | 'location';

export type FileCase = CommandOn<'FileCase'> &
  Omit<CaseFiling, OptionalFilingField> &
  Partial<Pick<CaseFiling, OptionalFilingField>> & {
    /**
     * The readable case number the filing records. The command path draws it only once the
     * domain has accepted the filing (so refused filings use up no number) and stamps it on the
     * CaseFiled event; the command's sources leave it out.
     */
    readonly number: string;
    /** Files stored before the filing, recorded with it in the same append (a resident's photos). */
    readonly attachments?: readonly AttachmentFacts[];
    /** A resident's filing through the public channel: the digest of their access code. */
    readonly publicAccess?: PublicAccess;
  };

export type AcceptCase = CommandOn<'AcceptCase'> & { readonly note?: string };
export type RejectCase = CommandOn<'RejectCase'> & { readonly reason: string };
/** The caller resolves `assigneeId` to the user; the domain checks who they are and where they work. */
export type AssignCase = CommandOn<'AssignCase'> & { readonly assignee: UserActor };
export type AddNote = CommandOn<'AddNote'> & { readonly noteType: NoteType; readonly text: string };
/** The file is already stored under its hash; the command records it on the case. */
export type AddAttachment = CommandOn<'AddAttachment'> & { readonly attachment: AttachmentFacts };
/**
 * Records that the opinion was adopted or annotated at a level. The caller checks the bulletin
 * it names (published, readable, holding the case); the domain checks who may record it.
 */
export type AdoptSuggestion = CommandOn<'AdoptSuggestion'> & {
  readonly level: AdoptionLevel;
  readonly kind: AdoptionKind;
  readonly body: string;
  readonly note?: string;
  readonly bulletinId?: string;
};
export type TransferCase = CommandOn<'TransferCase'> & { readonly toUnitId: string; readonly reason: string };
export type EscalateCase = CommandOn<'EscalateCase'> & { readonly reason: string };
export type RequestAnnotation = CommandOn<'RequestAnnotation'> & { readonly summary: string };
export type AnnotateCase = CommandOn<'AnnotateCase'> & { readonly instruction: string; readonly assignToUnitId?: string };
export type ResolveCase = CommandOn<'ResolveCase'> & { readonly outcome: ResolutionOutcome; readonly summary: string };
export type RecordFeedback = CommandOn<'RecordFeedback'> & { readonly satisfaction: Satisfaction; readonly comment?: string };
export type CloseCase = CommandOn<'CloseCase'> & { readonly summary: string };
export type ReopenCase = CommandOn<'ReopenCase'> & { readonly reason: string };
export type WithdrawCase = CommandOn<'WithdrawCase'> & { readonly reason: string };
/** The caller loads the target case (`initialState` when it does not exist) for the domain to check. */
export type MergeCase = CommandOn<'MergeCase'> & { readonly intoCaseId: string; readonly target: CaseState };
export type ExtendDeadline = CommandOn<'ExtendDeadline'> & {
  readonly clock: SlaClock;
  readonly workingDays: number;
  readonly reason: string;
};
export type RaiseSlaWarning = CommandOn<'RaiseSlaWarning'> & SlaAlert;
export type RecordSlaBreach = CommandOn<'RecordSlaBreach'> & SlaAlert;
/** The system escalates a case on the breach it recorded of this clock run; never a person's move. */
export type EscalateOnBreach = CommandOn<'EscalateOnBreach'> & SlaAlert;

export type CaseCommand =
  | FileCase
  | AcceptCase
  | RejectCase
  | AssignCase
  | AddNote
  | AddAttachment
  | AdoptSuggestion
  | TransferCase
  | EscalateCase
  | RequestAnnotation
  | AnnotateCase
  | ResolveCase
  | RecordFeedback
  | CloseCase
  | ReopenCase
  | WithdrawCase
  | MergeCase
  | ExtendDeadline
  | RaiseSlaWarning
  | RecordSlaBreach
  | EscalateOnBreach;

export type CaseCommandType = CaseCommand['type'];

/** Commands on a case that already exists: every one but filing. */
export type CaseMoveType = Exclude<CaseCommandType, 'FileCase'>;
