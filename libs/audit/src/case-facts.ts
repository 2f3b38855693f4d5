import { isWithheldFiler } from '#cases';
import { currentDeadlines, label, type Clock, type ExistingCase } from '#domain';
import { narrative } from './narrative.js';
import { localTime, namingFor, personName, unitName, type ReportContext } from './report-context.js';

/** A written entry of the case (a note, an annotation): what it says, who wrote it and when. */
export interface CaseEntryFact {
  /** The kind of entry in words (a note's type), or what came with it (the unit an annotation handed the case to); may be empty. */
  readonly label: string;
  readonly text: string;
  readonly by: string;
  readonly at: string;
}

/** A case at some point, in words: what the replay command prints and the dossier shows. */
export interface CaseFacts {
  readonly fields: readonly { readonly label: string; readonly value: string }[];
  readonly deadlines: readonly string[];
  readonly notes: readonly CaseEntryFact[];
  readonly annotations: readonly CaseEntryFact[];
}

/**
 * The case in words. `state.filer` is shown as given: pass it as presented (`presentFiler`), masked
 * or withheld as the reader may see it. A withheld filer is "anonymous" in the words' language; a
 * named anonymous filer (read at the filing unit) is marked anonymous beside the name.
 */
export function caseFacts(state: Omit<ExistingCase, 'publicAccess'>, clocks: readonly Clock[], context: ReportContext): CaseFacts {
  const words = narrative(context.language);
  const { field } = words.words;
  const naming = namingFor(context);
  const time = (iso: string) => localTime(iso, context.timeZone);
  const named = [state.filer.name, state.filer.phone].filter(Boolean).join(' ');
  const filer = isWithheldFiler(state.filer) ? words.anonymous : state.filer.anonymous ? words.words.aside(named, words.anonymous) : named;
  const fields: { readonly label: string; readonly value: string }[] = [
    { label: field.number, value: state.number },
    { label: field.title, value: naming.text(state.title) },
    { label: field.kind, value: label(words.kind, state.kind) },
    { label: field.status, value: label(words.status, state.status) },
    { label: field.unit, value: `${unitName(context, state.unitId)} (${state.unitId})` },
    { label: field.filedUnit, value: `${unitName(context, state.filedUnitId)} (${state.filedUnitId})` },
    { label: field.assignee, value: state.assigneeId ? personName(context, state.assigneeId) : words.words.none },
    { label: field.urgency, value: label(words.urgency, state.urgency) },
    { label: field.channel, value: label(words.channel, state.channel) },
    { label: field.filer, value: filer },
    { label: field.supervised, value: state.supervised ? words.words.yes : words.words.no },
  ];
  const { aside, labelled, list, byAt } = words.words;
  if (state.pendingAnnotation) {
    const { summary, requestedBy, at } = state.pendingAnnotation;
    fields.push({ label: field.pendingAnnotation, value: aside(naming.text(summary), byAt(personName(context, requestedBy), time(at))) });
  }
  if (state.resolution) {
    fields.push({ label: field.resolution, value: aside(label(words.outcome, state.resolution.outcome), naming.text(state.resolution.summary)) });
  }
  if (state.feedback.length > 0) {
    const answers = state.feedback.map((answer) =>
      aside(answer.comment ? labelled(label(words.satisfaction, answer.satisfaction), naming.text(answer.comment)) : label(words.satisfaction, answer.satisfaction), time(answer.at)),
    );
    fields.push({ label: field.feedback, value: list(answers) });
  }
  fields.push({ label: field.createdAt, value: time(state.createdAt) }, { label: field.updatedAt, value: time(state.updatedAt) });

  return {
    fields,
    deadlines: currentDeadlines(clocks).map((deadline) =>
      words.words.deadline(label(words.clock, deadline.clock), time(deadline.dueAt), label(words.clockState, deadline.state)),
    ),
    notes: state.notes.map((note) => ({ label: label(words.noteType, note.type), text: naming.text(note.text), by: personName(context, note.actorId), at: time(note.at) })),
    annotations: state.annotations.map((annotation) => ({
      label: annotation.assignToUnitId ? words.handedTo(unitName(context, annotation.assignToUnitId)) : '',
      text: naming.text(annotation.instruction),
      by: personName(context, annotation.actorId),
      at: time(annotation.at),
    })),
  };
}
