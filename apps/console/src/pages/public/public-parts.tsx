import { ApiError } from '../../api/client.js';
import { Field } from '../../components.js';
import { retryAt, waitMinutes } from '../../forms/mailbox.js';
import { errorMessage } from '../../i18n/api-errors.js';
import { useI18n, type Translate } from '../../i18n/i18n.js';

/** Parts the resident's pages share. */

/**
 * A refused request in a resident's words: too many attempts says when to try again, the other
 * refusals the page knows (`known`, by status) say what to do; anything else as the console says it.
 */
export function publicErrorText(error: unknown, t: Translate, known: Partial<Record<number, string>> = {}): { title: string; detail?: string } {
  if (error instanceof ApiError && known[error.status]) {
    const title = known[error.status]!;
    if (error.status !== 429) return { title };
    const at = retryAt(error.retryAfter);
    const detail = at
      ? t('public.retryAt', {
          time: at.toLocaleTimeString(document.documentElement.lang || undefined, { hour: '2-digit', minute: '2-digit' }),
          minutes: waitMinutes(error.retryAfter!),
        })
      : t('public.retryLater');
    return { title, detail };
  }
  return { title: errorMessage(error, t) };
}

/** A refused request, announced. */
export function PublicError({ error, known }: { readonly error: unknown; readonly known?: Partial<Record<number, string>> }) {
  const { t } = useI18n();
  const { title, detail } = publicErrorText(error, t, known);
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{title}</p>
      {detail && <p data-testid="retry-after">{detail}</p>}
    </div>
  );
}

/** A code typed as given (a case number, an access code, a receipt code): no spelling fixes, no autofill. */
export function CodeField(props: {
  readonly label: string;
  readonly name: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly error?: string;
}) {
  return (
    <Field label={props.label} required error={props.error}>
      {(control) => (
        <input
          {...control}
          name={props.name}
          autoComplete="off"
          autoCorrect="off"
          autoCapitalize="none"
          spellCheck={false}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
