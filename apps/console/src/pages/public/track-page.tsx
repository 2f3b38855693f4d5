import { SATISFACTION_LEVELS, TEXT_LIMITS, type Satisfaction } from '#domain';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client.js';
import { publicGet, publicPost } from '../../api/public-client.js';
import type { PublicCase } from '../../api/types.js';
import { Field, RadioGroup, StatusBadge, SubmitButton, charCount } from '../../components.js';
import { checkText, collect, problemText, type Problems } from '../../forms/problems.js';
import { useI18n } from '../../i18n/i18n.js';
import { useCommandForm } from '../../use-command-form.js';
import { CodeField, PublicError } from './public-parts.js';
import { ReceiptChecker } from './receipt.js';

/**
 * Where a resident follows their case with its number and access code (both may come in the
 * link of the receipt's QR code), rates the answer when asked, and checks a receipt code.
 */
export function TrackPage({ query }: { readonly query: URLSearchParams }) {
  const { t, language } = useI18n();
  const [number, setNumber] = useState(query.get('number') ?? '');
  const [code, setCode] = useState(query.get('code') ?? '');
  const [problems, setProblems] = useState<Problems>({});
  const [found, setFound] = useState<PublicCase | null>(null);
  const [asked, setAsked] = useState<{ number: string; code: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const receipt = query.get('receipt') ?? '';
  const languageRef = useRef(language);
  languageRef.current = language;

  const lookUp = async (wanted: { number: string; code: string }) => {
    setBusy(true);
    setError(null);
    try {
      // The timeline's sentences are the server's, in the reader's language.
      const answer = await publicGet<PublicCase>(`/api/v1/public/cases/${encodeURIComponent(wanted.number)}`, { code: wanted.code, lang: languageRef.current });
      setFound(answer);
      setAsked(wanted);
    } catch (failure) {
      setFound(null);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const wrong = collect({
      number: checkText(number, { required: true, max: 64 }),
      code: checkText(code, { required: true, max: 128 }),
    });
    setProblems(wrong);
    if (Object.keys(wrong).length > 0) return;
    void lookUp({ number: number.trim(), code: code.trim() });
  };

  // A link with both (the receipt's QR code) looks the case up at once.
  const initial = useRef({ number, code });
  useEffect(() => {
    const { number: n, code: c } = initial.current;
    if (n.trim() !== '' && c.trim() !== '') void lookUp({ number: n.trim(), code: c.trim() });
    // Only once, for the link the page was opened with.
  }, []);

  // A case on screen is read again in the language switched to.
  const shownIn = useRef(language);
  useEffect(() => {
    if (shownIn.current === language) return;
    shownIn.current = language;
    if (asked) void lookUp(asked);
    // Only when the language changes.
  }, [language]);

  return (
    <div className="public-page">
      <h1 id="page-title" tabIndex={-1}>
        {t('track.title')}
      </h1>
      <p className="page-intro">{t('track.intro')}</p>
      <form className="form public-form track-form" onSubmit={submit} noValidate aria-labelledby="page-title">
        <div className="form-row">
          <CodeField label={t('track.number')} name="number" value={number} onChange={setNumber} error={problemText(problems.number, t)} />
          <CodeField label={t('track.code')} name="code" value={code} onChange={setCode} error={problemText(problems.code, t)} />
        </div>
        <SubmitButton busy={busy} label={t('track.submit')} busyLabel={t('track.searching')} large />
      </form>

      <div aria-live="polite">
        {error !== null && <PublicError error={error} known={{ 404: t('track.notFound'), 400: t('track.notFound'), 429: t('track.tooMany') }} />}
        {found && asked && <CaseStanding view={found} code={asked.code} reload={() => void lookUp(asked)} />}
      </div>

      <section className="card" aria-labelledby="receipt-check-title">
        <h2 id="receipt-check-title">{t('track.receiptTitle')}</h2>
        <p className="hint">{t('track.receiptIntro')}</p>
        <ReceiptChecker initial={receipt} />
      </section>
    </div>
  );
}

/** The case as a resident may see it: where it stands, what has happened, the answer, and the rating form when open. */
function CaseStanding({ view, code, reload }: { readonly view: PublicCase; readonly code: string; readonly reload: () => void }) {
  const { t, formatTime } = useI18n();
  const [rated, setRated] = useState(false);
  const [closed, setClosed] = useState(false);
  return (
    <section className="card track-case" aria-labelledby="track-case-title" data-testid="track-case">
      <p className="case-number-line">
        <span className="case-number">{view.number}</span>
        <StatusBadge status={view.status} />
        <span className="badge badge-kind">{t(`kind.${view.kind}`)}</span>
      </p>
      <h2 id="track-case-title" className="track-case-title">
        {view.title}
      </h2>
      <dl className="facts">
        <div>
          <dt>{t('track.status')}</dt>
          <dd data-testid="track-status">{t(`status.${view.status}`)}</dd>
        </div>
        <div>
          <dt>{t('track.unit')}</dt>
          <dd>
            {view.unit.name} <span className="muted">· {t(`level.${view.unit.level}`)}</span>
          </dd>
        </div>
        <div>
          <dt>{t('track.filedAt')}</dt>
          <dd>
            <time dateTime={view.filedAt}>{formatTime(view.filedAt)}</time>
          </dd>
        </div>
        {view.dueAt && (
          <div>
            <dt>{t('track.dueAt')}</dt>
            <dd>
              <time dateTime={view.dueAt}>{formatTime(view.dueAt)}</time>
            </dd>
          </div>
        )}
      </dl>

      {view.resolution && (
        <div className="track-resolution" data-testid="track-resolution">
          <h3>{t('track.resolution')}</h3>
          <p>
            <span className="badge">{t(`outcome.${view.resolution.outcome}`)}</span>
          </p>
          <p className="pre">{view.resolution.summary}</p>
        </div>
      )}

      {rated && (
        <p className="notice notice-success" role="status">
          {t('track.feedbackDone')}
        </p>
      )}
      {closed && !view.feedbackOpen && (
        <p className="notice notice-warning" role="alert">
          {t('track.feedbackClosed')}
        </p>
      )}
      {view.feedbackOpen && !rated && (
        <FeedbackForm
          number={view.number}
          code={code}
          onDone={() => {
            setRated(true);
            reload();
          }}
          onClosed={() => {
            setClosed(true);
            reload();
          }}
        />
      )}

      <h3>{t('track.timeline')}</h3>
      {view.timeline.length === 0 ? (
        <p className="empty">{t('track.noTimeline')}</p>
      ) : (
        <ol className="timeline public-timeline">
          {view.timeline.map((entry, i) => (
            <li key={`${entry.at}-${i}`} className={`timeline-entry timeline-${entry.type}`}>
              <p className="timeline-detail">{entry.text}</p>
              <p className="muted">
                <time dateTime={entry.at}>{formatTime(entry.at)}</time>
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** The resident's rating of the answer (`POST /api/v1/public/cases/{number}/feedback`). */
function FeedbackForm({
  number,
  code,
  onDone,
  onClosed,
}: {
  readonly number: string;
  readonly code: string;
  readonly onDone: () => void;
  readonly onClosed: () => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const [satisfaction, setSatisfaction] = useState<Satisfaction | ''>('');
  const [comment, setComment] = useState('');
  const { problems, error, busy, form, submit } = useCommandForm(
    () =>
      collect({
        satisfaction: satisfaction === '' ? { key: 'v.required' } : undefined,
        comment: checkText(comment, { required: false, max: TEXT_LIMITS.comment }),
      }),
    async () => {
      try {
        await publicPost(`/api/v1/public/cases/${encodeURIComponent(number)}/feedback`, {
          code,
          satisfaction,
          ...(comment.trim() !== '' ? { comment: comment.trim() } : {}),
        });
      } catch (failure) {
        // No longer open to rating (rated meanwhile, or reopened): the page shows the case as it is now.
        if (failure instanceof ApiError && failure.status === 409) onClosed();
        throw failure;
      }
      onDone();
    },
  );

  return (
    <form ref={form} className="form feedback-form" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('track.feedbackTitle')}</h3>
      {error !== null && <PublicError error={error} known={{ 404: t('track.notFound'), 409: t('track.feedbackClosed'), 429: t('track.tooMany') }} />}
      <RadioGroup
        legend={t('track.satisfaction')}
        name="satisfaction"
        values={SATISFACTION_LEVELS}
        value={satisfaction}
        label={(level) => t(`satisfaction.${level}`)}
        onChange={setSatisfaction}
        required
        error={problemText(problems.satisfaction, t)}
        large
      />
      <Field
        label={t('track.comment')}
        required={false}
        error={problemText(problems.comment, t)}
        hint={`${t('track.commentHint', { max: TEXT_LIMITS.comment })} · ${charCount(comment, TEXT_LIMITS.comment, t)}`}
      >
        {(control) => <textarea {...control} name="comment" rows={3} value={comment} onChange={(e) => setComment(e.target.value)} />}
      </Field>
      <SubmitButton busy={busy} label={t('track.feedbackSubmit')} busyLabel={t('common.submitting')} large />
    </form>
  );
}
