import { CASE_KINDS, CHANNELS, TEXT_LIMITS, URGENCIES, VISIT_REASONS } from '#domain';
import { useState } from 'react';
import { ApiError, post } from '../api/client.js';
import type { Moved } from '../api/types.js';
import { CheckField, ErrorNotice, Field, Options, PageHeader, PhoneField, RadioGroup, charCount } from '../components.js';
import { checkFiling, emptyDraft, filingBody, takesParties, takesVisitReason, type FilingDraft } from '../forms/filing.js';
import { problemText } from '../forms/problems.js';
import { fieldLabel } from '../i18n/field-messages.js';
import { useI18n } from '../i18n/i18n.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { useFilingForm } from '../use-command-form.js';
import { SimilarCases, useSimilarCases } from './similar-cases.js';

/**
 * The intake form. It checks what the API checks before sending; whatever the server still
 * refuses shows beside its field. Each filing carries an Idempotency-Key that stays the same while
 * the body does, so a double submit or a retry after a lost answer files one case.
 */
export function FileCasePage() {
  const { t } = useI18n();
  const { me, units } = useSession();
  const scope = units.subtree(me.unitId);
  const [draft, setDraft] = useState<FilingDraft>(() => emptyDraft(me.unitId));
  const [filed, setFiled] = useState<Moved | null>(null);
  const { problems, error, busy, form, submit } = useFilingForm(
    () =>
      checkFiling(
        draft,
        scope.map((unit) => unit.id),
      ),
    () => {
      const body = filingBody(draft);
      return { signature: JSON.stringify(body), send: (key) => post<Moved>('/api/v1/cases', body, { 'Idempotency-Key': key }) };
    },
    (answer) => {
      setFiled(answer);
      setDraft(emptyDraft(me.unitId));
    },
  );

  const similar = useSimilarCases(draft.title, draft.description, draft.unitId);
  const update = (change: Partial<FilingDraft>) => setDraft((before) => ({ ...before, ...change }));
  const updateParty = (index: number, change: Partial<FilingDraft['parties'][number]>) =>
    setDraft((before) => ({ ...before, parties: before.parties.map((party, i) => (i === index ? { ...party, ...change } : party)) }));
  const fieldError = (field: string) => problemText(problems[field], t);

  if (filed) {
    return (
      <div className="page">
        <PageHeader title={t('file.title')} />
        <div className="notice notice-success" role="status">
          <p className="notice-title">{t('file.success', { number: filed.number ?? '' })}</p>
          <p className="notice-actions">
            <Link to={`/cases/${filed.id}`} className="button button-primary">
              {t('file.open')}
            </Link>
            <button type="button" className="button" onClick={() => setFiled(null)}>
              {t('file.another')}
            </button>
          </p>
        </div>
      </div>
    );
  }

  const otherProblems = error instanceof ApiError ? error.details.filter((detail) => !isShownField(detail.field, draft)) : [];

  return (
    <div className="page page-narrow">
      <PageHeader title={t('file.title')} intro={t('file.intro')} />
      {error !== null && (
        <ErrorNotice error={error}>
          {error instanceof ApiError && error.details.length > 0 && <p>{t('error.fixFields')}</p>}
          {otherProblems.length > 0 && (
            <ul>
              {otherProblems.map((detail) => (
                <li key={detail.field}>
                  {fieldLabel(detail.field, t)}: {problemText({ server: detail.message }, t)}
                </li>
              ))}
            </ul>
          )}
        </ErrorNotice>
      )}
      <form ref={form} className="form" onSubmit={submit} noValidate>
        <fieldset>
          <legend>{t('file.sectionCase')}</legend>
          <div className="form-row">
            <Field label={t('field.kind')} required error={fieldError('kind')}>
              {(control) => (
                <select
                  {...control}
                  name="kind"
                  value={draft.kind}
                  onChange={(e) => update({ kind: e.target.value as FilingDraft['kind'] })}
                >
                  <Options values={CASE_KINDS} label={(kind) => t(`kind.${kind}`)} empty={t('common.choose')} />
                </select>
              )}
            </Field>
            <Field label={t('field.channel')} required error={fieldError('channel')}>
              {(control) => (
                <select
                  {...control}
                  name="channel"
                  value={draft.channel}
                  onChange={(e) => update({ channel: e.target.value as FilingDraft['channel'] })}
                >
                  <Options values={CHANNELS} label={(channel) => t(`channel.${channel}`)} empty={t('common.choose')} />
                </select>
              )}
            </Field>
          </div>
          {takesVisitReason(draft) && (
            <Field label={t('field.visitReason')} required error={fieldError('visitReason')}>
              {(control) => (
                <select
                  {...control}
                  name="visitReason"
                  value={draft.visitReason}
                  onChange={(e) => update({ visitReason: e.target.value as FilingDraft['visitReason'] })}
                >
                  <Options values={VISIT_REASONS} label={(reason) => t(`visitReason.${reason}`)} empty={t('common.choose')} />
                </select>
              )}
            </Field>
          )}
          <Field label={t('field.title')} required error={fieldError('title')} hint={charCount(draft.title, TEXT_LIMITS.title, t)}>
            {(control) => <input {...control} name="title" value={draft.title} onChange={(e) => update({ title: e.target.value })} />}
          </Field>
          <SimilarCases items={similar} />
          <Field
            label={t('field.description')}
            required
            error={fieldError('description')}
            hint={charCount(draft.description, TEXT_LIMITS.description, t)}
          >
            {(control) => (
              <textarea
                {...control}
                name="description"
                rows={5}
                value={draft.description}
                onChange={(e) => update({ description: e.target.value })}
              />
            )}
          </Field>
          <div className="form-row">
            <Field label={t('field.unitId')} required error={fieldError('unitId')}>
              {(control) => (
                <select {...control} name="unitId" value={draft.unitId} onChange={(e) => update({ unitId: e.target.value })}>
                  <Options values={scope.map((unit) => unit.id)} label={(id) => units.name(id)} />
                </select>
              )}
            </Field>
            <RadioGroup
              legend={t('field.urgency')}
              name="urgency"
              values={URGENCIES}
              value={draft.urgency}
              label={(urgency) => t(`urgency.${urgency}`)}
              onChange={(urgency) => update({ urgency })}
            />
          </div>
        </fieldset>

        <fieldset>
          <legend>{t('file.sectionFiler')}</legend>
          <div className="form-row">
            <Field label={t('field.filer.name')} required={!draft.anonymous} error={fieldError('filer.name')}>
              {(control) => (
                <input
                  {...control}
                  name="filer.name"
                  autoComplete="off"
                  value={draft.filerName}
                  onChange={(e) => update({ filerName: e.target.value })}
                />
              )}
            </Field>
            <PhoneField
              label={t('field.filer.phone')}
              error={fieldError('filer.phone')}
              value={draft.filerPhone}
              onChange={(filerPhone) => update({ filerPhone })}
            />
          </div>
          <CheckField
            name="filer.anonymous"
            label={t('field.filer.anonymous')}
            checked={draft.anonymous}
            onChange={(anonymous) => update({ anonymous })}
          />
        </fieldset>

        {takesParties(draft) && (
          <fieldset>
            <legend>{t('field.parties')}</legend>
            <p className="hint">{t('file.partiesHint')}</p>
            {draft.parties.length === 0 && <p className="empty">{t('file.noParties')}</p>}
            {draft.parties.map((party, i) => (
              <div key={i} className="party">
                <p className="party-title">{t('field.party', { n: i + 1 })}</p>
                <div className="form-row">
                  <Field label={t('field.party.name')} required error={fieldError(`parties.${i}.name`)}>
                    {(control) => (
                      <input
                        {...control}
                        name={`parties.${i}.name`}
                        value={party.name}
                        onChange={(e) => updateParty(i, { name: e.target.value })}
                      />
                    )}
                  </Field>
                  <Field label={t('field.party.role')} required error={fieldError(`parties.${i}.role`)}>
                    {(control) => (
                      <input
                        {...control}
                        name={`parties.${i}.role`}
                        value={party.role}
                        onChange={(e) => updateParty(i, { role: e.target.value })}
                      />
                    )}
                  </Field>
                </div>
                <button
                  type="button"
                  className="button button-quiet"
                  onClick={() => update({ parties: draft.parties.filter((_, j) => j !== i) })}
                >
                  {t('file.removeParty', { n: i + 1 })}
                </button>
              </div>
            ))}
            <button type="button" className="button" onClick={() => update({ parties: [...draft.parties, { name: '', role: '' }] })}>
              {t('file.addParty')}
            </button>
          </fieldset>
        )}

        <fieldset>
          <legend>{t('file.sectionMore')}</legend>
          <div className="form-row">
            <Field label={t('field.occurredAt')} required={false} error={fieldError('occurredAt')}>
              {(control) => (
                <input
                  {...control}
                  name="occurredAt"
                  type="datetime-local"
                  value={draft.occurredAt}
                  onChange={(e) => update({ occurredAt: e.target.value })}
                />
              )}
            </Field>
            <Field label={t('field.location.address')} required={false} error={fieldError('location.address')}>
              {(control) => (
                <input {...control} name="location.address" value={draft.address} onChange={(e) => update({ address: e.target.value })} />
              )}
            </Field>
          </div>
        </fieldset>

        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t('file.submitting') : t('file.submit')}
          </button>
        </div>
      </form>
    </div>
  );
}

/** Whether the form shows a field for this API path (a problem elsewhere is listed at the top). */
function isShownField(field: string, draft: FilingDraft): boolean {
  if (/^parties\.\d+\.(name|role)$/.test(field)) return takesParties(draft);
  if (field === 'visitReason') return takesVisitReason(draft);
  return ['kind', 'channel', 'title', 'description', 'unitId', 'filer.name', 'filer.phone', 'occurredAt', 'location.address'].includes(
    field,
  );
}
