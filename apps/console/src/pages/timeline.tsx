import { ROLES, type ActorRole } from '#domain';
import type { Colleague, HistoryEvent } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { useSession } from '../session.js';
import { AttachmentThumbnail } from './attachments-panel.js';
import { useUserLabel } from './case-facts.js';

/** What an event says beyond its type, in one line. */
function EventDetail({ event, people, caseId }: { readonly event: HistoryEvent; readonly people: readonly Colleague[]; readonly caseId?: string }) {
  const { t, formatTime } = useI18n();
  const { units } = useSession();
  const userLabel = useUserLabel(people);
  switch (event.type) {
    case 'CaseFiled':
      return (
        <>
          {t(`kind.${event.data.kind}`)} · {t(`channel.${event.data.channel}`)} · {units.name(event.data.unitId)}
        </>
      );
    case 'CaseAccepted':
      return <>{event.data.note}</>;
    case 'CaseRejected':
    case 'CaseWithdrawn':
    case 'CaseReopened':
      return <>{event.data.reason}</>;
    case 'CaseAssigned':
      return <>{userLabel(event.data.assigneeId)}</>;
    case 'NoteAdded':
      return (
        <>
          {t(`noteType.${event.data.noteType}`)}: {event.data.text}
        </>
      );
    case 'CaseTransferred':
    case 'CaseEscalated':
      return (
        <>
          {units.name(event.data.fromUnitId)} → {units.name(event.data.toUnitId)}: {event.data.reason}
        </>
      );
    case 'AnnotationRequested':
    case 'CaseClosed':
      return <>{event.data.summary}</>;
    case 'CaseAnnotated':
      return (
        <>
          {event.data.instruction}
          {event.data.assignToUnitId && ` · ${t('case.handTo', { unit: units.name(event.data.assignToUnitId) })}`}
        </>
      );
    case 'CaseResolved':
      return (
        <>
          {t(`outcome.${event.data.outcome}`)}: {event.data.summary}
        </>
      );
    case 'FeedbackRecorded':
      return (
        <>
          {t(`satisfaction.${event.data.satisfaction}`)}
          {event.data.comment && `: ${event.data.comment}`}
        </>
      );
    case 'CaseMerged':
      return <>{event.data.intoCaseId}</>;
    case 'DeadlineExtended':
      return <>{t('case.extension', { clock: t(`clock.${event.data.clock}`), days: event.data.workingDays, reason: event.data.reason })}</>;
    case 'SlaWarningRaised':
    case 'SlaBreached':
      return (
        <>
          {t(`clock.${event.data.clock}`)} · {formatTime(event.data.dueAt)}
        </>
      );
    case 'AttachmentAdded':
      return (
        <>
          {t(`attachmentKind.${event.data.kind}`)}: {event.data.name}
          {event.data.description && ` · ${event.data.description}`}
          {caseId && <AttachmentThumbnail caseId={caseId} attachment={event.data} className="timeline-thumb" />}
        </>
      );
  }
}

/** The case's history, oldest first; an auditor can open the case as it stood after any entry. */
export function Timeline({
  caseId,
  events,
  people = [],
  onView,
}: {
  /** The case, for the thumbnails of attached images. */
  readonly caseId?: string;
  readonly events: readonly HistoryEvent[];
  /** The people the events name (the history's `people`): shown by name where an event names them. */
  readonly people?: readonly Colleague[];
  readonly onView?: (revision: number) => void;
}) {
  const { t, formatTime } = useI18n();
  const { units } = useSession();
  if (events.length === 0) return <p className="empty">{t('timeline.empty')}</p>;
  return (
    <ol className="timeline">
      {events.map((event) => {
        const role = event.metadata.actorRole;
        const known = role === 'system' || role === 'public' || (ROLES as readonly string[]).includes(role);
        const roleLabel = known ? t(`role.${role as ActorRole}`) : role;
        const unit = event.metadata.unitId ? units.name(event.metadata.unitId) : '—';
        const actor = people.find((person) => person.id === event.metadata.actorId);
        return (
          <li key={event.revision} className={`timeline-entry timeline-${event.type}`}>
            <div className="timeline-head">
              <span className="timeline-type">{t(`event.${event.type}`)}</span>
              <span className="timeline-revision">{t('timeline.revision', { n: event.revision })}</span>
            </div>
            <p className="timeline-detail">
              <EventDetail event={event} people={people} caseId={caseId} />
            </p>
            <p className="muted">
              <time dateTime={event.metadata.at}>{formatTime(event.metadata.at)}</time> ·{' '}
              {actor ? t('timeline.namedActor', { name: actor.displayName, role: roleLabel, unit }) : t('timeline.actor', { role: roleLabel, unit })}
            </p>
            {onView && (
              <button type="button" className="button button-small" onClick={() => onView(event.revision)}>
                {t('audit.viewRevision', { n: event.revision })}
              </button>
            )}
          </li>
        );
      })}
    </ol>
  );
}
