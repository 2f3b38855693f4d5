import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, get, post } from '../api/client.js';
import type { CaseAction, CaseDetail, Colleague, Moved } from '../api/types.js';
import { ErrorNotice, Field, LoadFailed } from '../components.js';
import { actionBody, actionFields, checkAction, initialValues, type ActionField } from '../forms/actions.js';
import { problemText, serverProblems, type Problems } from '../forms/problems.js';
import { hasMessage, useI18n } from '../i18n/i18n.js';
import { useSession } from '../session.js';
import { useResource } from '../use-resource.js';

interface ActionFormProps {
  readonly action: CaseAction;
  readonly view: CaseDetail;
  readonly onDone: (moved: Moved) => void;
  /** Someone else changed the case since it was loaded: the page offers to reload it. */
  readonly onConflict: (error: ApiError) => void;
  readonly onCancel: () => void;
}

/**
 * The form of one move on the case. It sends the revision the reader saw (`expectedRevision`), so a
 * move made on a stale page is refused instead of overwriting what someone else did.
 */
export function ActionForm({ action, view, onDone, onConflict, onCancel }: ActionFormProps) {
  const { t } = useI18n();
  const session = useSession();
  const assignees = useResource(
    (signal) => (action === 'assign' ? get<Colleague[]>(`/api/v1/cases/${view.id}/assignees`, {}, signal) : Promise.resolve(undefined)),
    [action, view.id],
  );
  const fields = actionFields(action, { view, me: session.me, units: session.units, assignees: assignees.data });
  const [values, setValues] = useState<Record<string, string>>(() => initialValues(fields));
  // The assignee field turns from an id box into a list when the coordinators arrive: start it afresh (one coordinator is chosen at once).
  useEffect(() => {
    if (assignees.data) setValues((before) => ({ ...before, ...initialValues(fields.filter((field) => field.name === 'assigneeId')) }));
  }, [assignees.data]);
  const [problems, setProblems] = useState<Problems>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    form.current?.querySelector<HTMLElement>('input, select, textarea')?.focus();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const found = checkAction(fields, values);
    setProblems(found);
    setError(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      onDone(await post<Moved>(`/api/v1/cases/${view.id}/${action}`, actionBody(fields, values, view.revision)));
    } catch (failure) {
      if (failure instanceof ApiError && failure.isRevisionConflict) return onConflict(failure);
      setError(failure);
      if (failure instanceof ApiError) setProblems(serverProblems(failure.details));
      setBusy(false);
    }
  };

  const title = t(`action.${action}`);
  return (
    <form ref={form} className="card action-form" onSubmit={submit} noValidate aria-label={title}>
      <h3>{title}</h3>
      {error !== null && <ErrorNotice error={error} />}
      {/* Without the list the assignee can still be named by id; say why the list is missing. */}
      {assignees.error !== undefined && <LoadFailed error={assignees.error} retry={assignees.reload} />}
      {fields.map((field) => (
        <ActionInput
          key={field.name}
          field={field}
          value={values[field.name] ?? ''}
          error={problemText(problems[field.name], t)}
          onChange={(value) => setValues((before) => ({ ...before, [field.name]: value }))}
        />
      ))}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? t('common.submitting') : title}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function ActionInput({
  field,
  value,
  error,
  onChange,
}: {
  field: ActionField;
  value: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  const { t } = useI18n();
  const labelKey = `field.${field.name}`;
  const label = hasMessage(labelKey) ? t(labelKey) : field.name;
  return (
    <Field label={label} required={field.required} error={error} hint={field.hint ? t(field.hint) : undefined}>
      {(control) => {
        if (field.kind === 'select') {
          return (
            <select {...control} name={field.name} value={value} onChange={(e) => onChange(e.target.value)}>
              <option value="">{field.required ? t('common.choose') : t('common.notSet')}</option>
              {field.choices.map((choice) => (
                <option key={choice.value} value={choice.value}>
                  {'key' in choice.label ? t(choice.label.key) : choice.label.text}
                </option>
              ))}
            </select>
          );
        }
        if (field.kind === 'number') {
          return (
            <input
              {...control}
              name={field.name}
              type="number"
              inputMode="numeric"
              min={field.min}
              max={field.max}
              step={1}
              value={value}
              onChange={(e) => onChange(e.target.value)}
            />
          );
        }
        if (field.kind === 'textarea')
          return <textarea {...control} name={field.name} rows={3} value={value} onChange={(e) => onChange(e.target.value)} />;
        return <input {...control} name={field.name} autoComplete="off" value={value} onChange={(e) => onChange(e.target.value)} />;
      }}
    </Field>
  );
}
