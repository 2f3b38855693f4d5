import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client.js';
import { publicGet } from '../../api/public-client.js';
import type { PublicFiled, ReceiptCheck } from '../../api/types.js';
import { trackingLink } from '../../forms/mailbox.js';
import { useI18n } from '../../i18n/i18n.js';
import { CodeField, PublicError } from './public-parts.js';
import { QrCode } from './qr-code.js';

/** A value with a button that copies it, saying so when it did. */
function Copyable({ label, value, copyLabel, large }: { readonly label: string; readonly value: string; readonly copyLabel: string; readonly large?: boolean }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const copy = () => {
    navigator.clipboard?.writeText(value).then(
      () => {
        setCopied(true);
        window.setTimeout(() => setCopied(false), 2500);
      },
      () => setCopied(false),
    );
  };
  return (
    <div className={`receipt-value${large ? ' receipt-value-large' : ''}`}>
      <dt>{label}</dt>
      <dd>
        <span className="receipt-text" translate="no">
          {value}
        </span>
        <button type="button" className="button button-small" aria-label={copyLabel} onClick={copy}>
          {copied ? t('receipt.copied') : t('receipt.copy')}
        </button>
        <span className="visually-hidden" role="status">
          {copied ? t('receipt.copied') : ''}
        </span>
      </dd>
    </div>
  );
}

/** What a resident keeps after filing: the number, the access code (shown once), the receipt and a QR code to track it. */
/** The links from it open new tabs: the access code stays on screen. */
export function Receipt({ filed, onAnother }: { readonly filed: PublicFiled; readonly onAnother: () => void }) {
  const { t, formatTime } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const link = trackingLink(location.origin, filed.number, filed.accessCode);
  const track = `/track?${new URLSearchParams({ number: filed.number, code: filed.accessCode }).toString()}`;
  return (
    <div className="public-page receipt" data-testid="receipt">
      <h1 id="page-title" tabIndex={-1} ref={heading}>
        {t('receipt.title')}
      </h1>
      <div className="notice notice-warning receipt-warning" role="alert">
        <p className="notice-title">{t('receipt.warning')}</p>
        <p>{t('receipt.warningBody')}</p>
      </div>
      <div className="receipt-grid">
        <section className="card receipt-codes" aria-labelledby="receipt-codes-title">
          <h2 id="receipt-codes-title" className="visually-hidden">
            {t('receipt.warning')}
          </h2>
          <dl>
            <Copyable label={t('receipt.number')} value={filed.number} copyLabel={t('receipt.copyNumber')} large />
            <Copyable label={t('receipt.code')} value={filed.accessCode} copyLabel={t('receipt.copyCode')} large />
            <div className="receipt-value">
              <dt>{t('receipt.filedAt')}</dt>
              <dd>
                <time dateTime={filed.receipt.filedAt}>{formatTime(filed.receipt.filedAt)}</time>
              </dd>
            </div>
          </dl>
          <p className="notice-actions">
            <a href={track} target="_blank" rel="noopener noreferrer" className="button button-primary">
              {t('receipt.track')}
            </a>
            <button type="button" className="button" onClick={onAnother}>
              {t('receipt.another')}
            </button>
          </p>
        </section>
        <section className="card receipt-qr" aria-labelledby="receipt-qr-title">
          <h2 id="receipt-qr-title">{t('receipt.qr')}</h2>
          <QrCode text={link} label={t('receipt.qrLabel')} />
          <p className="hint">{t('receipt.qrHint')}</p>
        </section>
      </div>
      <section className="card" aria-labelledby="receipt-hash-title">
        <h2 id="receipt-hash-title">{t('receipt.hash')}</h2>
        <p className="hint">{t('receipt.hashHint')}</p>
        <p className="receipt-hash break" translate="no" data-testid="receipt-hash">
          {filed.receipt.hash}
        </p>
        <ReceiptChecker hash={filed.receipt.hash} />
        <p>
          <a href={`/track?${new URLSearchParams({ receipt: filed.receipt.hash }).toString()}`} target="_blank" rel="noopener noreferrer">
            {t('track.receiptTitle')}
          </a>
        </p>
      </section>
    </div>
  );
}

/** How often a receipt just given is looked up before it counts as unknown: the record of a filing may take a moment to be found. */
const FRESH_RECEIPT_TRIES = 5;
const RETRY_DELAY_MS = 800;

async function lookUpReceipt(hash: string, tries: number): Promise<ReceiptCheck> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await publicGet<ReceiptCheck>(`/api/v1/public/receipts/${encodeURIComponent(hash)}`);
    } catch (failure) {
      if (!(failure instanceof ApiError && failure.status === 404) || attempt >= tries) throw failure;
      await new Promise((resolve) => window.setTimeout(resolve, RETRY_DELAY_MS));
    }
  }
}

/** Checks a receipt code (`GET /api/v1/public/receipts/{hash}`): given one, a button; else a form to type it. */
export function ReceiptChecker({ hash: given, initial = '' }: { readonly hash?: string; readonly initial?: string }) {
  const { t, formatTime } = useI18n();
  const id = useId();
  const [typed, setTyped] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<ReceiptCheck | 'unknown' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const hash = (given ?? typed).trim();

  const check = async (event?: FormEvent) => {
    event?.preventDefault();
    if (hash === '' || busy) return;
    setBusy(true);
    setError(null);
    setAnswer(null);
    try {
      setAnswer(await lookUpReceipt(hash, given !== undefined ? FRESH_RECEIPT_TRIES : 1));
    } catch (failure) {
      if (failure instanceof ApiError && (failure.status === 404 || failure.status === 400)) setAnswer('unknown');
      else setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const result = (
    <div aria-live="polite" id={`${id}-result`}>
      {answer === 'unknown' && (
        <p className="notice notice-error" data-testid="receipt-result">
          {t('receipt.unknown')}
        </p>
      )}
      {answer && answer !== 'unknown' && (
        <p className={`notice ${answer.intact ? 'notice-success' : 'notice-error'}`} data-testid="receipt-result">
          {answer.intact
            ? t('receipt.intact', { number: answer.number, at: formatTime(answer.filedAt) })
            : t('receipt.broken', { number: answer.number })}
        </p>
      )}
      {error !== null && <PublicError error={error} known={{ 429: t('track.tooMany') }} />}
    </div>
  );

  if (given !== undefined) {
    return (
      <>
        <button type="button" className="button" onClick={() => void check()} disabled={busy}>
          {busy ? t('receipt.checking') : t('receipt.check')}
        </button>
        {result}
      </>
    );
  }
  return (
    <form className="form receipt-check" onSubmit={check} noValidate>
      <CodeField label={t('track.receiptHash')} name="receipt" value={typed} onChange={setTyped} />
      <button type="submit" className="button" disabled={busy || hash === ''}>
        {busy ? t('receipt.checking') : t('track.receiptSubmit')}
      </button>
      {result}
    </form>
  );
}
