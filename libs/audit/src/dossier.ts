import { asColleague, filerView, presentCase, presentCaseWithActions, presentEvent, type Colleague, type VerifiableCaseRecord } from '#cases';
import { currentDeadlines, type CaseAnnotation, type CaseAttachment, type CaseNote, type Clock, type Deadline, type Language, type OrgTree, type SlaPolicy, type UserActor } from '#domain';
import { verifyStream, type StreamVerification } from '#event-store';
import { personName, unitName, type Person, type ReportContext } from './report-context.js';
import { caseTimeline, type TimelineEntry } from './timeline.js';

/** Who asked for a dossier, and through what. */
export interface DossierAuthor {
  /** The account, or null for an operator on the command line. */
  readonly userId: string | null;
  readonly username: string;
  readonly via: 'api' | 'cli';
}

export interface DossierInput {
  /** The case read whole with its stream's head row (CaseReader.verifiable). */
  readonly record: VerifiableCaseRecord;
  readonly policy: SlaPolicy;
  readonly org: OrgTree;
  readonly people: ReadonlyMap<string, Person>;
  /**
   * The case is shown as `GET /cases/{id}` shows it to this reader (the filer as `filerView`
   * decides, allowed actions). Null for an export from the command line: no allowed actions, the
   * phone masked and an anonymous filer withheld, since a dossier is made to leave the system.
   */
  readonly reader: UserActor | null;
  readonly generatedAt: Date;
  readonly generatedBy: DossierAuthor;
  /** The language of the descriptions (default zh-CN). */
  readonly language?: Language;
}

/** The presented case: the fields of `GET /cases/{id}`, the assignee named. */
export type PresentedCase = ReturnType<typeof presentCase> & { readonly allowedActions?: readonly string[]; readonly assignee: Colleague | null };

/** A timeline entry with the event itself: its data (the filer shown as in the case) and its hash chain. */
export type DossierEvent = TimelineEntry & {
  readonly data: Record<string, unknown>;
  readonly prevHash: string | null;
  readonly hash: string;
};

/** A case's full record, for auditors and for print. */
export interface Dossier {
  readonly case: PresentedCase;
  readonly timeline: readonly DossierEvent[];
  readonly notes: readonly (CaseNote & { readonly actorName: string })[];
  readonly annotations: readonly (CaseAnnotation & { readonly actorName: string; readonly assignToUnitName: string | null })[];
  /** The files attached, in the order added, each with its full SHA-256. */
  readonly attachments: readonly (CaseAttachment & { readonly actorName: string })[];
  /** The latest run of each SLA clock, as the case shows them. */
  readonly deadlines: readonly Deadline[];
  /** Every run of every SLA clock, in the order they started. */
  readonly clocks: readonly Clock[];
  /** The hash chain and head row checked, as `GET /cases/{id}/verify` answers (with the files' `problems` when they were re-hashed too). */
  readonly verification: StreamVerification & { readonly problems?: readonly { readonly message: string }[] };
  /** The time zone of the timeline's local times. */
  readonly timeZone: string;
  readonly generatedAt: string;
  readonly generatedBy: DossierAuthor;
}

/** The dossier of a case. */
export function buildDossier(input: DossierInput): Dossier {
  const { record, policy, org, reader } = input;
  const { state, clocks, events } = record;
  const at = { state, clocks, revision: record.revision };
  const view = filerView(state, reader, org);
  const assignee = state.assigneeId === null ? undefined : input.people.get(state.assigneeId);
  const presented: PresentedCase = {
    ...(reader ? presentCaseWithActions(at, reader, org) : presentCase(at, null, org)),
    assignee: assignee ? asColleague(assignee) : null,
  };

  const context: ReportContext = { language: input.language ?? 'zh-CN', org, people: input.people, timeZone: policy.timezone };
  const timeline = caseTimeline(events, context).map((entry, index): DossierEvent => {
    const event = presentEvent(events[index]!, view);
    return { ...entry, data: event.data, prevHash: event.prevHash, hash: event.hash };
  });
  return {
    case: presented,
    timeline,
    notes: state.notes.map((note) => ({ ...note, actorName: personName(context, note.actorId) })),
    annotations: state.annotations.map((annotation) => ({
      ...annotation,
      actorName: personName(context, annotation.actorId),
      assignToUnitName: annotation.assignToUnitId === null ? null : unitName(context, annotation.assignToUnitId),
    })),
    attachments: state.attachments.map((attachment) => ({ ...attachment, actorName: personName(context, attachment.actorId) })),
    deadlines: currentDeadlines(clocks.clocks),
    clocks: clocks.clocks,
    verification: verifyStream(events, record.head),
    timeZone: policy.timezone,
    generatedAt: input.generatedAt.toISOString(),
    generatedBy: input.generatedBy,
  };
}
