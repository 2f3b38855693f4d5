import { ROLES, type Role } from '#domain';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { getWholeHistory, patch, post } from '../api/client.js';
import type { Account, AccountHistory, AccountHistoryEvent } from '../api/types.js';
import { ErrorNotice, Field, LoadFailed, Loading, Options } from '../components.js';
import { checkText, collect, problemText } from '../forms/problems.js';
import { accountChanges, accountDraft, checkAccount, toggleRole, type AccountDraft } from '../forms/user.js';
import { useI18n, type Translate } from '../i18n/i18n.js';
import { useSession } from '../session.js';
import type { Units } from '../units.js';
import { useCommandForm, type CommandForm } from '../use-command-form.js';
import { useResource } from '../use-resource.js';

// The disable reason's limit (DISABLE_REASON_MAX_LENGTH of the accounts library, whose module imports the server's framework).
const DISABLE_REASON_MAX_LENGTH = 500;

/** What the panels tell the page when a command went through: the account as it now is. */
export type Done = (account: Account | null, message: 'users.saved' | 'users.disabledDone' | 'users.noChange') => void;

/** A panel under an account's row: a titled form or view, with a close button. */
function Panel({ title, onClose, children }: { readonly title: string; readonly onClose: () => void; readonly children: ReactNode }) {
  const { t } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="account-panel" aria-label={title}>
      <div className="account-panel-head">
        <h3 ref={heading} tabIndex={-1}>
          {title}
        </h3>
        <button type="button" className="button button-small" onClick={onClose}>
          {t('users.close')}
        </button>
      </div>
      {children}
    </section>
  );
}

/** The roles as checkboxes; `admin` stands alone (ticking it clears the others, and the other way round). */
export function RolesField(props: {
  readonly roles: readonly Role[];
  readonly onChange: (roles: Role[]) => void;
  readonly error?: string;
  readonly disabled?: boolean;
  readonly hint?: string;
}) {
  const { t } = useI18n();
  return (
    <fieldset className={`field${props.error ? ' field-invalid' : ''}`} aria-invalid={Boolean(props.error)}>
      <legend>
        {t('field.roles')}
        <span className="required" aria-hidden="true">
          {' '}
          *
        </span>
      </legend>
      <div className="check-row">
        {ROLES.map((role) => (
          <label key={role} className="check">
            <input
              type="checkbox"
              name="roles"
              value={role}
              disabled={props.disabled}
              checked={props.roles.includes(role)}
              onChange={(e) => props.onChange(toggleRole(props.roles, role, e.target.checked))}
            />{' '}
            {t(`role.${role}`)}
          </label>
        ))}
      </div>
      {props.error && <p className="field-error">{props.error}</p>}
      <p className="hint">{props.hint ?? t('users.adminAlone')}</p>
    </fieldset>
  );
}

/** The unit select, offering only units of the admin's subtree. */
export function UnitField(props: {
  readonly value: string;
  readonly onChange: (unitId: string) => void;
  readonly error?: string;
  readonly disabled?: boolean;
}) {
  const { t } = useI18n();
  const { me, units } = useSession();
  return (
    <Field label={t('users.unit')} required error={props.error} hint={t('users.unitScope')}>
      {(control) => (
        <select {...control} name="unitId" value={props.value} disabled={props.disabled} onChange={(e) => props.onChange(e.target.value)}>
          <Options values={units.subtree(me.unitId).map((unit) => unit.id)} label={(id) => units.name(id)} empty={t('common.choose')} />
        </select>
      )}
    </Field>
  );
}

/** A panel's form: the failure on top, the fields, then the submit and cancel buttons. */
function PanelForm(props: {
  readonly title: string;
  readonly command: CommandForm;
  readonly submitLabel: string;
  readonly danger?: boolean;
  readonly onClose: () => void;
  readonly children?: ReactNode;
}) {
  const { t } = useI18n();
  const { form, submit, error, busy } = props.command;
  return (
    <form ref={form} className="form" onSubmit={submit} noValidate aria-label={props.title}>
      {error !== null && <ErrorNotice error={error} />}
      {props.children}
      <div className="form-actions">
        <button type="submit" className={`button ${props.danger ? 'button-danger' : 'button-primary'}`} disabled={busy}>
          {busy ? t('common.submitting') : props.submitLabel}
        </button>
        <button type="button" className="button" onClick={props.onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

/** Edits an account's name, roles and unit (an admin's own roles and unit are another admin's to change). */
export function EditPanel({ account, onDone, onClose }: { readonly account: Account; readonly onDone: Done; readonly onClose: () => void }) {
  const { t } = useI18n();
  const { me, units } = useSession();
  const self = account.id === me.id;
  const [draft, setDraft] = useState<AccountDraft>(() => accountDraft(account));
  const update = (change: Partial<AccountDraft>) => setDraft((before) => ({ ...before, ...change }));
  const command = useCommandForm(
    () => checkAccount(draft, units.subtree(me.unitId).map((unit) => unit.id)),
    async () => {
      const changes = accountChanges(account, draft);
      if (Object.keys(changes).length === 0) return onDone(null, 'users.noChange');
      onDone(await patch<Account>(`/api/v1/users/${account.id}`, changes), 'users.saved');
    },
  );
  const title = t('users.editTitle', { username: account.username });
  return (
    <Panel title={title} onClose={onClose}>
      <PanelForm title={title} command={command} submitLabel={t('users.save')} onClose={onClose}>
        <Field label={t('field.displayName')} required error={problemText(command.problems.displayName, t)}>
          {(control) => <input {...control} name="displayName" value={draft.displayName} onChange={(e) => update({ displayName: e.target.value })} />}
        </Field>
        <RolesField
          roles={draft.roles}
          onChange={(roles) => update({ roles })}
          error={problemText(command.problems.roles, t)}
          disabled={self}
          hint={self ? t('users.self') : undefined}
        />
        <UnitField value={draft.unitId} onChange={(unitId) => update({ unitId })} error={problemText(command.problems.unitId, t)} disabled={self} />
      </PanelForm>
    </Panel>
  );
}

/** Disables an account, for a reason the account's history keeps. */
export function DisablePanel({ account, onDone, onClose }: { readonly account: Account; readonly onDone: Done; readonly onClose: () => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const command = useCommandForm(
    () => collect({ reason: checkText(reason, { required: true, max: DISABLE_REASON_MAX_LENGTH }) }),
    async () => onDone(await post<Account>(`/api/v1/users/${account.id}/disable`, { reason: reason.trim() }), 'users.disabledDone'),
  );
  const title = t('users.disableTitle', { username: account.username });
  return (
    <Panel title={title} onClose={onClose}>
      <p>{t('users.disableIntro')}</p>
      <PanelForm title={title} command={command} submitLabel={t('users.disableSubmit')} danger onClose={onClose}>
        <Field label={t('field.reason')} required error={problemText(command.problems.reason, t)}>
          {(control) => <textarea {...control} name="reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
      </PanelForm>
    </Panel>
  );
}

/** Resets an account's password: the temporary password is shown here once, and never again. */
export function ResetPanel({ account, onClose }: { readonly account: Account; readonly onClose: () => void }) {
  const { t } = useI18n();
  const [temporary, setTemporary] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const command = useCommandForm(
    () => ({}),
    async () => setTemporary((await post<{ temporaryPassword: string }>(`/api/v1/users/${account.id}/reset-password`, {})).temporaryPassword),
  );
  const copy = () => {
    if (temporary === null) return;
    navigator.clipboard?.writeText(temporary).then(
      () => setCopied(true),
      () => undefined,
    );
  };
  const title = t('users.resetTitle', { username: account.username });
  return (
    <Panel title={title} onClose={onClose}>
      {temporary === null ? (
        <>
          <p>{t('users.resetIntro')}</p>
          <PanelForm title={title} command={command} submitLabel={t('users.resetSubmit')} danger onClose={onClose} />
        </>
      ) : (
        <div className="notice notice-warning temporary-password" role="status">
          <p className="notice-title">{t('users.temporaryPassword', { username: account.username })}</p>
          <p>
            <code data-testid="temporary-password">{temporary}</code>{' '}
            <button type="button" className="button button-small" onClick={copy}>
              {copied ? t('users.copied') : t('users.copy')}
            </button>
          </p>
          <p>
            <strong>{t('users.copyNow')}</strong>
          </p>
        </div>
      )}
    </Panel>
  );
}

/** What one account event changed, in words. */
function eventDetail(event: AccountHistoryEvent, t: Translate, units: Units): string {
  const roles = (list: readonly Role[] | undefined) => (list ?? []).map((role) => t(`role.${role}`)).join(t('users.listSeparator'));
  const { data } = event;
  switch (event.type) {
    case 'UserCreated':
      return t('users.history.created', { username: data.username ?? '', roles: roles(data.roles), unit: units.name(data.unitId) });
    case 'UserUpdated':
      return [
        data.displayName !== undefined && t('users.history.displayName', { value: data.displayName }),
        data.roles !== undefined && t('users.history.roles', { value: roles(data.roles) }),
        data.unitId !== undefined && t('users.history.unitId', { value: units.name(data.unitId) }),
      ]
        .filter(Boolean)
        .join(t('users.history.separator'));
    case 'UserDisabled':
      return t('users.history.reason', { value: data.reason ?? '' });
    default:
      return '';
  }
}

/** An account's history: every change, when, by whom, in words. `people` name the actors the page knows. */
export function HistoryPanel({ account, people, onClose }: { readonly account: Account; readonly people: readonly Account[]; readonly onClose: () => void }) {
  const { t, formatTime } = useI18n();
  const { units } = useSession();
  const history = useResource((signal) => getWholeHistory<AccountHistory>(`/api/v1/users/${account.id}/history`, signal), [account.id]);
  const actorOf = (event: AccountHistoryEvent): string => {
    const role = event.metadata.actorRole;
    if (role === 'system') return t('users.system');
    const roleLabel = (ROLES as readonly string[]).includes(role) ? t(`role.${role as Role}`) : role;
    const unit = event.metadata.unitId ? units.name(event.metadata.unitId) : '—';
    const person = people.find((p) => p.id === event.metadata.actorId);
    return person ? t('timeline.namedActor', { name: person.displayName, role: roleLabel, unit }) : t('timeline.actor', { role: roleLabel, unit });
  };
  return (
    <Panel title={t('users.historyTitle', { username: account.username })} onClose={onClose}>
      {history.error !== undefined && <LoadFailed error={history.error} retry={history.reload} />}
      {!history.data ? (
        history.error === undefined && <Loading />
      ) : history.data.events.length === 0 ? (
        <p className="empty">{t('users.historyEmpty')}</p>
      ) : (
        <ol className="timeline account-history">
          {history.data.events.map((event) => {
            const detail = eventDetail(event, t, units);
            return (
              <li key={event.revision} className={`timeline-entry account-event-${event.type}`}>
                <div className="timeline-head">
                  <span className="timeline-type">{t(`account.event.${event.type}`)}</span>
                  <span className="timeline-revision">{t('timeline.revision', { n: event.revision })}</span>
                </div>
                {detail && <p className="timeline-detail">{detail}</p>}
                <p className="muted">
                  <time dateTime={event.metadata.at}>{formatTime(event.metadata.at)}</time> · {actorOf(event)}
                </p>
              </li>
            );
          })}
        </ol>
      )}
    </Panel>
  );
}
