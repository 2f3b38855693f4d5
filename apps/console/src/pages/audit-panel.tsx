import { useState, type FormEvent } from 'react';
import { ApiError, get, openDocument } from '../api/client.js';
import type { HistoryEvent, StateAt, Verification } from '../api/types.js';
import { ErrorNotice, Field, Loading, useBusy } from '../components.js';
import { useI18n } from '../i18n/i18n.js';
import { useResource } from '../use-resource.js';
import { CaseStanding, CaseWork, Deadlines } from './case-facts.js';

/** Whether the case's hash chain and stream head check out. */
export function VerifyBadge({ caseId, revision }: { readonly caseId: string; readonly revision: number }) {
  const { t } = useI18n();
  const verification = useResource((signal) => get<Verification>(`/api/v1/cases/${caseId}/verify`, {}, signal), [caseId, revision]);
  if (verification.error !== undefined) return <ErrorNotice error={verification.error} />;
  const result = verification.data;
  if (!result) {
    return (
      <p className="verify verify-pending" role="status">
        {t('audit.verifying')}
      </p>
    );
  }
  return (
    <p className={`verify ${result.ok ? 'verify-ok' : 'verify-broken'}`} role="status" data-testid="verify-badge">
      <span aria-hidden="true">{result.ok ? '✓' : '✗'}</span>{' '}
      {result.ok
        ? t('audit.verifyOk', { n: result.events })
        : result.firstBrokenRevision !== undefined
          ? t('audit.verifyBroken', { revision: result.firstBrokenRevision })
          : t('audit.verifyBrokenHead')}
    </p>
  );
}

/** Opens the printable dossier, which the API renders as HTML, in a new tab (the request needs the token). */
export function DossierButton({ caseId }: { readonly caseId: string }) {
  const { t } = useI18n();
  const { busy, error: problem, run: open } = useBusy(() => openDocument(`/api/v1/cases/${caseId}/dossier?format=html`));
  return (
    <div className="dossier">
      <button type="button" className="button" onClick={open} disabled={busy}>
        {busy ? t('case.dossierOpening') : t('case.dossier')}
      </button>
      {problem !== null &&
        (problem instanceof ApiError && problem.status === 404 ? (
          <p className="notice notice-info" role="status">
            {t('case.dossierUnavailable')}
          </p>
        ) : (
          <ErrorNotice error={problem} />
        ))}
    </div>
  );
}

type Point = { readonly revision: number } | { readonly at: string };

/**
 * The case as it stood after any revision, or at any time: `GET /cases/{id}/state`. The revision
 * is picked from the timeline's events; a time is typed in the reader's time zone.
 */
export function AsOfPanel({
  caseId,
  events,
  picked,
  onPick,
}: {
  caseId: string;
  events: readonly HistoryEvent[];
  picked: number | null;
  onPick: (revision: number) => void;
}) {
  const { t, formatTime } = useI18n();
  const [mode, setMode] = useState<'revision' | 'time'>('revision');
  const [time, setTime] = useState('');
  const [point, setPoint] = useState<Point | null>(null);
  const shown: Point | null = mode === 'revision' ? (picked === null ? null : { revision: picked }) : point;
  const key = shown ? JSON.stringify(shown) : '';
  const snapshot = useResource(
    (signal) => (shown ? get<StateAt>(`/api/v1/cases/${caseId}/state`, shown, signal) : Promise.resolve(null)),
    [caseId, key],
  );

  const showTime = (event: FormEvent) => {
    event.preventDefault();
    const at = new Date(time);
    if (!Number.isNaN(at.getTime())) setPoint({ at: at.toISOString() });
  };
  const last = events.at(-1)?.revision ?? 0;

  return (
    <section className="card" aria-labelledby="as-of">
      <h2 id="as-of">{t('audit.asOf')}</h2>
      <p className="muted">{t('audit.asOfIntro')}</p>
      <div className="segmented" role="group" aria-label={t('audit.asOf')}>
        <button type="button" className="button button-small" aria-pressed={mode === 'revision'} onClick={() => setMode('revision')}>
          {t('audit.byRevision')}
        </button>
        <button type="button" className="button button-small" aria-pressed={mode === 'time'} onClick={() => setMode('time')}>
          {t('audit.byTime')}
        </button>
      </div>
      {mode === 'revision' ? (
        <div className="as-of-revision">
          <Field label={t('field.revision')}>
            {(control) => (
              <select
                {...control}
                name="revision"
                value={picked ?? ''}
                onChange={(e) => e.target.value !== '' && onPick(Number(e.target.value))}
              >
                <option value="">{t('common.choose')}</option>
                {events.map((event) => (
                  <option key={event.revision} value={event.revision}>
                    {t('audit.revisionOption', { n: event.revision, event: t(`event.${event.type}`) })}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <input
            type="range"
            className="revision-slider"
            min={0}
            max={last}
            step={1}
            value={picked ?? last}
            aria-label={t('field.revision')}
            aria-valuetext={
              picked === null
                ? undefined
                : t('audit.revisionOption', { n: picked, event: t(`event.${events[picked]?.type ?? 'CaseFiled'}`) })
            }
            onChange={(e) => onPick(Number(e.target.value))}
          />
        </div>
      ) : (
        <form className="as-of-time" onSubmit={showTime}>
          <Field label={t('field.at')}>
            {(control) => <input {...control} type="datetime-local" step={1} value={time} onChange={(e) => setTime(e.target.value)} />}
          </Field>
          <button type="submit" className="button">
            {t('audit.show')}
          </button>
        </form>
      )}
      {shown && snapshot.loading && <Loading lines={2} />}
      {shown &&
        !snapshot.loading &&
        snapshot.error !== undefined &&
        (snapshot.error instanceof ApiError && snapshot.error.status === 404 ? (
          <p className="empty">{t('audit.beforeFiling')}</p>
        ) : (
          <ErrorNotice error={snapshot.error} />
        ))}
      {shown && !snapshot.loading && snapshot.data && (
        <div className="snapshot" data-testid="state-at">
          <h3>{t('audit.stateAt', { revision: snapshot.data.revision, at: formatTime(snapshot.data.at) })}</h3>
          <CaseStanding view={snapshot.data.state} />
          <Deadlines view={snapshot.data.state} />
          <CaseWork view={snapshot.data.state} heading="h4" />
        </div>
      )}
    </section>
  );
}
