import { useId } from 'react';
import type { CaseView, Colleague } from '../api/types.js';
import { isOverdue, StatusBadge } from '../components.js';
import { useI18n } from '../i18n/i18n.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

/** The name the API gives an anonymous filer outside the filing unit (API.md, "Anonymous filers"). */
const WITHHELD_NAME = '匿名';

/** Who a user id is, as far as the reader can tell: themselves or a colleague the case names (its assignee) by name, anyone else by id. */
export function useUserLabel(known: readonly Colleague[] = []): (userId: string | null) => string {
  const { me } = useSession();
  const { t } = useI18n();
  return (userId) => {
    if (userId === null) return t('common.none');
    if (userId === me.id) return me.displayName;
    return known.find((person) => person.id === userId)?.displayName ?? userId;
  };
}

/** Where the case stands: status, units, assignee, urgency, supervision and times. */
export function CaseStanding({ view }: { readonly view: CaseView }) {
  const { t, formatTime } = useI18n();
  const { units } = useSession();
  const userLabel = useUserLabel(view.assignee ? [view.assignee] : []);
  return (
    <dl className="facts">
      <div>
        <dt>{t('field.status')}</dt>
        <dd>
          <StatusBadge status={view.status} />
          {view.supervised && <span className="badge badge-supervised">{t('case.supervised')}</span>}
        </dd>
      </div>
      <div>
        <dt>{t('case.unit')}</dt>
        <dd>{units.name(view.unitId)}</dd>
      </div>
      <div>
        <dt>{t('case.filedUnit')}</dt>
        <dd>{units.name(view.filedUnitId)}</dd>
      </div>
      <div>
        <dt>{t('case.assignee')}</dt>
        <dd className="break">{userLabel(view.assigneeId)}</dd>
      </div>
      <div>
        <dt>{t('field.urgency')}</dt>
        <dd>{t(`urgency.${view.urgency}`)}</dd>
      </div>
      <div>
        <dt>{t('case.updatedAt')}</dt>
        <dd>{formatTime(view.updatedAt)}</dd>
      </div>
    </dl>
  );
}

/** What was reported: kind, channel, filer, parties, place, description. */
export function CaseReport({ view }: { readonly view: CaseView }) {
  const { t, formatTime } = useI18n();
  return (
    <>
      <dl className="facts">
        <div>
          <dt>{t('field.kind')}</dt>
          <dd>
            {t(`kind.${view.kind}`)}
            {view.visitReason && ` · ${t(`visitReason.${view.visitReason}`)}`}
          </dd>
        </div>
        <div>
          <dt>{t('field.channel')}</dt>
          <dd>{t(`channel.${view.channel}`)}</dd>
        </div>
        <div>
          <dt>{t('field.filer')}</dt>
          <dd>
            {!view.filer.anonymous ? (
              view.filer.name || <span className="muted">{t('case.noName')}</span>
            ) : view.filer.name === WITHHELD_NAME || !view.filer.name ? (
              t('case.anonymous')
            ) : (
              // Readers at the filing unit are told the name of a filer who asked not to be named.
              <>
                {view.filer.name} <span className="muted">({t('case.anonymous')})</span>
              </>
            )}
            {view.filer.phone && <span className="muted"> · {view.filer.phone}</span>}
          </dd>
        </div>
        <div>
          <dt>{t('case.createdAt')}</dt>
          <dd>{formatTime(view.createdAt)}</dd>
        </div>
        {view.occurredAt && (
          <div>
            <dt>{t('field.occurredAt')}</dt>
            <dd>{formatTime(view.occurredAt)}</dd>
          </div>
        )}
        {view.location && (
          <div>
            <dt>{t('field.location')}</dt>
            <dd>{view.location.address}</dd>
          </div>
        )}
        {view.parties.length > 0 && (
          <div className="facts-wide">
            <dt>{t('field.parties')}</dt>
            <dd>
              <ul className="plain">
                {view.parties.map((party, i) => (
                  <li key={i}>
                    {party.name} <span className="muted">（{party.role}）</span>
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
      </dl>
      <p className="description">{view.description}</p>
      {view.mergedIntoCaseId && (
        <p>
          <Link to={`/cases/${view.mergedIntoCaseId}`}>{t('case.mergedInto', { id: view.mergedIntoCaseId })}</Link>
        </p>
      )}
    </>
  );
}

export function Deadlines({ view }: { readonly view: CaseView }) {
  const { t, formatTime } = useI18n();
  return (
    <>
      {view.deadlines.length === 0 ? (
        <p className="empty">{t('case.noDeadlines')}</p>
      ) : (
        <ul className="deadlines">
          {view.deadlines.map((deadline) => {
            const overdue = isOverdue(deadline);
            return (
              <li key={deadline.clock} className={overdue ? 'deadline deadline-overdue' : `deadline deadline-${deadline.state}`}>
                <span className="deadline-clock">{t(`clock.${deadline.clock}`)}</span>
                <span className="deadline-due">{formatTime(deadline.dueAt)}</span>
                <span className="deadline-state">{overdue ? t('list.overdue') : t(`deadline.${deadline.state}`)}</span>
              </li>
            );
          })}
        </ul>
      )}
      {view.extensions.map((extension, i) => (
        <p key={i} className="muted">
          {t('case.extension', { clock: t(`clock.${extension.clock}`), days: extension.workingDays, reason: extension.reason })}
        </p>
      ))}
    </>
  );
}

/** Notes, the pending request for annotation, annotations, resolution, feedback and extensions. */
export function CaseWork({ view, heading: Heading = 'h2' }: { readonly view: CaseView; readonly heading?: 'h2' | 'h4' }) {
  const { t, formatTime } = useI18n();
  const { units } = useSession();
  const id = useId();
  return (
    <>
      {view.pendingAnnotation && (
        <section className="card card-accent" aria-labelledby={`${id}-pending-annotation`}>
          <Heading id={`${id}-pending-annotation`}>{t('case.pendingAnnotation')}</Heading>
          <p className="pre">{view.pendingAnnotation.summary}</p>
          <p className="muted">{formatTime(view.pendingAnnotation.at)}</p>
        </section>
      )}
      <section className="card" aria-labelledby={`${id}-annotations`}>
        <Heading id={`${id}-annotations`}>{t('case.annotations')}</Heading>
        {view.annotations.length === 0 ? (
          <p className="empty">{t('common.none')}</p>
        ) : (
          <ul className="entries">
            {view.annotations.map((annotation, i) => (
              <li key={i}>
                <p className="pre">{annotation.instruction}</p>
                <p className="muted">
                  {annotation.assignToUnitId && `${t('case.handTo', { unit: units.name(annotation.assignToUnitId) })} · `}
                  {formatTime(annotation.at)}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby={`${id}-notes`}>
        <Heading id={`${id}-notes`}>{t('case.notes')}</Heading>
        {view.notes.length === 0 ? (
          <p className="empty">{t('case.noNotes')}</p>
        ) : (
          <ul className="entries">
            {view.notes.map((note, i) => (
              <li key={i}>
                <p>
                  <span className="badge">{t(`noteType.${note.type}`)}</span> <span className="pre">{note.text}</span>
                </p>
                <p className="muted">{formatTime(note.at)}</p>
              </li>
            ))}
          </ul>
        )}
      </section>
      {(view.resolution || view.feedback.length > 0) && (
        <section className="card" aria-labelledby={`${id}-outcome`}>
          <Heading id={`${id}-outcome`}>{t('case.resolution')}</Heading>
          {view.resolution && (
            <p>
              <span className="badge">{t(`outcome.${view.resolution.outcome}`)}</span>{' '}
              <span className="pre">{view.resolution.summary}</span>
            </p>
          )}
          {view.feedback.map((feedback, i) => (
            <p key={i}>
              {t('case.feedback')}: <span className="badge">{t(`satisfaction.${feedback.satisfaction}`)}</span> {feedback.comment}
            </p>
          ))}
        </section>
      )}
    </>
  );
}
