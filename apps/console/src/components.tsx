import { useId, useState, type ReactNode } from 'react';
import { ApiError, getDownload, withQuery, type Query } from './api/client.js';
import type { CaseView, Deadline } from './api/types.js';
import { length } from './forms/problems.js';
import { saveBlob } from './images.js';
import { dispositionFileName } from './reports.js';
import { errorMessage, serverExplanation } from './i18n/api-errors.js';
import { useI18n, type Translate } from './i18n/i18n.js';
import { Link } from './router.js';
import { useSession } from './session.js';

/** What a form control needs to be tied to its label, hint and error. */
export interface ControlProps {
  readonly id: string;
  readonly 'aria-invalid': boolean;
  readonly 'aria-describedby': string | undefined;
  readonly 'aria-required': boolean | undefined;
}

/**
 * A labelled form field with its hint and its error (from the form's checks or from the server).
 * `required` marks a form's fields as required (*) or optional; controls such as filters leave it out.
 */
export function Field(props: {
  readonly label: string;
  readonly required?: boolean;
  readonly error?: string;
  readonly hint?: string;
  readonly className?: string;
  readonly children: (control: ControlProps) => ReactNode;
}) {
  const { t } = useI18n();
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  const errorId = props.error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${props.error ? ' field-invalid' : ''}${props.className ? ` ${props.className}` : ''}`}>
      <label htmlFor={id}>
        {props.label}
        {props.required === true && <RequiredMark />}
        {props.required === false && <span className="optional"> {t('common.optional')}</span>}
      </label>
      {props.children({
        id,
        'aria-invalid': Boolean(props.error),
        'aria-describedby': describedBy,
        'aria-required': props.required || undefined,
      })}
      {props.error && (
        <p className="field-error" id={errorId}>
          {props.error}
        </p>
      )}
      {props.hint && (
        <p className="hint" id={hintId}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

/** The star after a required field's label (its control says `aria-required` itself). */
export function RequiredMark() {
  return (
    <span className="required" aria-hidden="true">
      {' '}
      *
    </span>
  );
}

/** A phone number, optional: the phone keypad on phones, and the API's pattern as its hint. */
export function PhoneField(props: {
  readonly label: string;
  readonly error?: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly autoComplete?: string;
}) {
  const { t } = useI18n();
  return (
    <Field label={props.label} required={false} error={props.error} hint={t('hint.phone')}>
      {(control) => (
        <input
          {...control}
          name="filer.phone"
          type="tel"
          inputMode="tel"
          autoComplete={props.autoComplete ?? 'off'}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

/** One choice of a few, as radio buttons under a legend; `large` for touch screens. */
export function RadioGroup<T extends string>(props: {
  readonly legend: string;
  readonly name: string;
  readonly values: readonly T[];
  readonly value: T | '';
  readonly label: (value: T) => string;
  readonly onChange: (value: T) => void;
  readonly required?: boolean;
  readonly error?: string;
  readonly large?: boolean;
}) {
  const id = useId();
  return (
    <fieldset className={`field radio-group${props.error ? ' field-invalid' : ''}`} aria-describedby={props.error ? `${id}-error` : undefined}>
      <legend>
        {props.legend}
        {props.required && <RequiredMark />}
      </legend>
      <div className={`radios${props.large ? ' radios-stacked' : ''}`}>
        {props.values.map((value) => (
          <label key={value} className={`check${props.large ? ' check-large' : ''}`}>
            <input
              type="radio"
              name={props.name}
              value={value}
              checked={props.value === value}
              aria-invalid={props.error ? true : undefined}
              onChange={() => props.onChange(value)}
            />
            {props.label(value)}
          </label>
        ))}
      </div>
      {props.error && (
        <p className="field-error" id={`${id}-error`}>
          {props.error}
        </p>
      )}
    </fieldset>
  );
}

/** A checkbox with its label, and a hint under it when there is one. */
export function CheckField(props: {
  readonly name: string;
  readonly label: string;
  readonly checked: boolean;
  readonly onChange: (checked: boolean) => void;
  readonly hint?: string;
  readonly large?: boolean;
}) {
  const id = useId();
  return (
    <>
      <label className={`check${props.large ? ' check-large' : ''}`}>
        <input
          type="checkbox"
          name={props.name}
          checked={props.checked}
          aria-describedby={props.hint ? `${id}-hint` : undefined}
          onChange={(e) => props.onChange(e.target.checked)}
        />
        {props.label}
      </label>
      {props.hint && (
        <p className="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
    </>
  );
}

/** A form's submit button, saying so while the request runs. */
export function SubmitButton({ busy, label, busyLabel, large, disabled }: { readonly busy: boolean; readonly label: string; readonly busyLabel: string; readonly large?: boolean; readonly disabled?: boolean }) {
  return (
    <div className="form-actions">
      <button type="submit" className={`button button-primary${large ? ' button-large' : ''}`} disabled={busy || disabled}>
        {busy ? busyLabel : label}
      </button>
    </div>
  );
}

/** Moves focus to the first field of the form with a problem, once it is shown. */
export function focusFirstProblem(form: HTMLFormElement | null): void {
  window.setTimeout(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
}

/** A select's options: one per value, after an empty first option when `empty` names it. */
export function Options<T extends string>(props: {
  readonly values: readonly T[];
  readonly label: (value: T) => string;
  readonly empty?: string;
}) {
  return (
    <>
      {props.empty !== undefined && <option value="">{props.empty}</option>}
      {props.values.map((value) => (
        <option key={value} value={value}>
          {props.label(value)}
        </option>
      ))}
    </>
  );
}

/** A filter's drop-down: a labelled select of `values`, after an empty first option when `empty` names it. */
export function SelectFilter<T extends string>(props: {
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly values: readonly T[];
  readonly optionLabel: (value: T) => string;
  readonly empty?: string;
}) {
  return (
    <Field label={props.label}>
      {(control) => (
        <select {...control} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
          <Options values={props.values} label={props.optionLabel} empty={props.empty} />
        </select>
      )}
    </Field>
  );
}

/** A failed request, in the reader's language, with the server's explanation when it adds one. */
export function ErrorNotice({ error, children }: { readonly error: unknown; readonly children?: ReactNode }) {
  const { t } = useI18n();
  const explanation = serverExplanation(error);
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{errorMessage(error, t)}</p>
      {explanation && (
        <p className="notice-detail" lang="en">
          {t('error.serverSays', { message: explanation })}
        </p>
      )}
      {children}
    </div>
  );
}

/** A failed load, with a retry. */
export function LoadFailed({ error, retry }: { readonly error: unknown; readonly retry: () => void }) {
  const { t } = useI18n();
  return (
    <ErrorNotice error={error}>
      <button type="button" className="button" onClick={retry}>
        {t('common.retry')}
      </button>
    </ErrorNotice>
  );
}

export function Loading({ lines = 3 }: { readonly lines?: number }) {
  const { t } = useI18n();
  return (
    <div className="loading" role="status" style={{ minHeight: `${lines * 3}rem` }}>
      <span className="visually-hidden">{t('app.loading')}</span>
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} className="skeleton" aria-hidden="true" />
      ))}
    </div>
  );
}

export function StatusBadge({ status }: { readonly status: CaseView['status'] }) {
  const { t } = useI18n();
  return <span className={`badge status-${status}`}>{t(`status.${status}`)}</span>;
}

const OPEN_CLOCK_STATES: readonly Deadline['state'][] = ['running', 'warned'];

/** Past due: breached, or running past its due time (the timer may not have fired yet). */
export function isOverdue(deadline: Deadline, now = Date.now()): boolean {
  return deadline.state === 'breached' || (OPEN_CLOCK_STATES.includes(deadline.state) && Date.parse(deadline.dueAt) <= now);
}

export function caseIsOverdue(view: Pick<CaseView, 'deadlines'>): boolean {
  return view.deadlines.some((deadline) => isOverdue(deadline));
}

/** The clock the case is racing now: the first open one, overdue ones first. */
function nextDeadline(view: CaseView): Deadline | undefined {
  const open = view.deadlines.filter((deadline) => OPEN_CLOCK_STATES.includes(deadline.state) || deadline.state === 'breached');
  return open.find((deadline) => isOverdue(deadline)) ?? open.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))[0];
}

export function DeadlineChip({ view }: { readonly view: CaseView }) {
  const { t, formatTime } = useI18n();
  const deadline = nextDeadline(view);
  if (!deadline) return null;
  const overdue = isOverdue(deadline);
  return (
    <span className={`chip${overdue ? ' chip-overdue' : deadline.state === 'warned' ? ' chip-warned' : ''}`}>
      {overdue ? `${t('list.overdue')} · ` : deadline.state === 'warned' ? `${t('list.dueSoon')} · ` : ''}
      {t('list.due', { clock: t(`clock.${deadline.clock}`), at: formatTime(deadline.dueAt) })}
    </span>
  );
}

/** Cases as a list of links: one card per case, readable at any width. */
export interface CaseSelection {
  readonly selected: ReadonlySet<string>;
  readonly toggle: (id: string) => void;
}

export function CaseList({ items, empty, selection }: { readonly items: readonly CaseView[]; readonly empty: string; readonly selection?: CaseSelection }) {
  const { t, formatTime } = useI18n();
  const { units } = useSession();
  if (items.length === 0) return <p className="empty">{empty}</p>;
  return (
    <ul className="case-list">
      {items.map((item) => {
        const overdue = caseIsOverdue(item);
        return (
          <li key={item.id} className={`case-card${overdue ? ' case-card-overdue' : ''}${selection ? ' case-card-selectable' : ''}`}>
            {selection && (
              <label className="case-card-select">
                <input
                  type="checkbox"
                  checked={selection.selected.has(item.id)}
                  onChange={() => selection.toggle(item.id)}
                  aria-label={t('cases.select', { number: item.number, title: item.title })}
                />
              </label>
            )}
            <Link to={`/cases/${item.id}`} className="case-card-link">
              <span className="case-card-top">
                <span className="case-number">{item.number}</span>
                <StatusBadge status={item.status} />
                <span className="badge badge-kind">{t(`kind.${item.kind}`)}</span>
                {item.urgency === 'urgent' && <span className="badge badge-urgent">{t('urgency.urgent')}</span>}
                {item.supervised && <span className="badge badge-supervised">{t('case.supervised')}</span>}
                {item.publicFiling && <span className="badge badge-public">{t('case.publicFiling')}</span>}
              </span>
              <span className="case-card-title">{item.title}</span>
              <span className="case-card-meta">
                <span>{units.name(item.unitId)}</span>
                <span aria-hidden="true">·</span>
                <span>{formatTime(item.updatedAt)}</span>
                <DeadlineChip view={item} />
              </span>
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

export function PageHeader({ title, intro, actions }: { readonly title: string; readonly intro?: string; readonly actions?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1 tabIndex={-1} id="page-title">
          {title}
        </h1>
        {intro && <p className="page-intro">{intro}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}

/** Characters typed of those allowed, as the API counts them: shown under long text fields. */
export function charCount(text: string, max: number, t: Translate): string {
  return t('common.chars', { n: length(text), max });
}

/** How many pages `total` items fill, at least one. */
export function pageCount(total: number | undefined, pageSize: number): number {
  return total === undefined ? 1 : Math.max(1, Math.ceil(total / pageSize));
}

/** Previous and next under a paged list; nothing when it fits one page. */
export function Pager({ page, pages, goTo }: { readonly page: number; readonly pages: number; readonly goTo: (page: number) => void }) {
  const { t } = useI18n();
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label={t('common.pageOf', { page, pages })}>
      <button type="button" className="button" disabled={page <= 1} onClick={() => goTo(page - 1)}>
        {t('common.previous')}
      </button>
      <span>{t('common.pageOf', { page, pages })}</span>
      <button type="button" className="button" disabled={page >= pages} onClick={() => goTo(page + 1)}>
        {t('common.next')}
      </button>
    </nav>
  );
}

/** What a button starts and the screen waits for: busy while it runs, its failure kept to show beside the button. */
export function useBusy(action: () => Promise<void>): { readonly busy: boolean; readonly error: unknown; readonly run: () => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

/** A page that could not load what it shows: "not found" for a 404, else the failure and a retry; a link home either way. */
export function LoadFailedPage({ error, retry }: { readonly error: unknown; readonly retry: () => void }) {
  const { t } = useI18n();
  const missing = error instanceof ApiError && error.status === 404;
  return (
    <div className="page">
      <h1 id="page-title" tabIndex={-1}>
        {missing ? t('error.code.not_found') : t('common.loadFailed')}
      </h1>
      {!missing && <LoadFailed error={error} retry={retry} />}
      <p>
        <Link to="/">{t('app.home')}</Link>
      </p>
    </div>
  );
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * 导出 Excel: the screen's list as the API's spreadsheet (`?format=xlsx`, same filters), fetched
 * with the session's token and saved under the name the server gives it.
 */
export function ExportButton({ path, query, fallbackName }: { readonly path: string; readonly query: Query; readonly fallbackName: string }) {
  const { t } = useI18n();
  const { busy, error, run } = useBusy(async () => {
    const { blob, disposition } = await getDownload(withQuery(path, { ...query, format: 'xlsx' }), XLSX);
    saveBlob(blob, dispositionFileName(disposition, `${fallbackName}.xlsx`));
  });
  return (
    <div className="export">
      <button type="button" className="button" onClick={() => void run()} disabled={busy} data-testid="export">
        {busy ? t('export.busy') : t('export.xlsx')}
      </button>
      {error !== null && <ErrorNotice error={error} />}
    </div>
  );
}
