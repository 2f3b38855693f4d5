import { Fragment, useState, type FormEvent } from 'react';
import { ApiError, get, post } from '../api/client.js';
import type { Account, AccountPage } from '../api/types.js';
import { ErrorNotice, Field, LoadFailed, Loading, Options, PageHeader, Pager, pageCount } from '../components.js';
import { problemText } from '../forms/problems.js';
import { checkUser, emptyUserDraft, PASSWORD_MIN_LENGTH, userBody, type UserDraft } from '../forms/user.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { useSession } from '../session.js';
import { refusedFields, useCommandForm } from '../use-command-form.js';
import { useResource } from '../use-resource.js';
import { DisablePanel, EditPanel, HistoryPanel, ResetPanel, RolesField, UnitField, type Done } from './account-panels.js';

const PAGE_SIZE = 20;

interface Filters {
  readonly q: string;
  readonly unitId: string;
  readonly includeDisabled: boolean;
}

const NO_FILTERS: Filters = { q: '', unitId: '', includeDisabled: false };

type PanelMode = 'edit' | 'disable' | 'reset' | 'history';

/** What became of a command on one account: a message kept as a key (so that it follows the language switch), or a failure. */
type Said = { readonly key: MessageKey; readonly username: string } | { readonly error: unknown };

/** The form that creates an account in the admin's subtree. */
function CreateAccount({ onCreated }: { readonly onCreated: () => void }) {
  const { t } = useI18n();
  const { me, units } = useSession();
  const [draft, setDraft] = useState<UserDraft>(() => emptyUserDraft());
  const [created, setCreated] = useState<Account | null>(null);
  const update = (change: Partial<UserDraft>) => setDraft((before) => ({ ...before, ...change }));
  const { problems, error, busy, form, submit } = useCommandForm(
    () => {
      setCreated(null);
      return checkUser(draft, units.subtree(me.unitId).map((unit) => unit.id));
    },
    async () => {
      setCreated(await post<Account>('/api/v1/users', userBody(draft)));
      setDraft(emptyUserDraft());
      onCreated();
    },
    (failure) => (failure instanceof ApiError && failure.code === 'username_taken' ? { username: { key: 'v.usernameTaken' } } : refusedFields(failure)),
  );
  const fieldError = (field: string) => problemText(problems[field], t);

  return (
    <section className="card" aria-labelledby="create-user-title">
      <h2 id="create-user-title">{t('users.create')}</h2>
      {created && (
        <div className="notice notice-success" role="status">
          <p className="notice-title">{t('users.created', { username: created.username })}</p>
        </div>
      )}
      {error !== null && <ErrorNotice error={error} />}
      <form ref={form} className="form" onSubmit={submit} noValidate aria-labelledby="create-user-title">
        <div className="form-row">
          <Field label={t('field.username')} required error={fieldError('username')} hint={t('hint.username')}>
            {(control) => <input {...control} name="username" autoComplete="off" value={draft.username} onChange={(e) => update({ username: e.target.value })} />}
          </Field>
          <Field label={t('field.displayName')} required error={fieldError('displayName')}>
            {(control) => <input {...control} name="displayName" value={draft.displayName} onChange={(e) => update({ displayName: e.target.value })} />}
          </Field>
        </div>
        <div className="form-row">
          <Field label={t('users.password')} required error={fieldError('password')} hint={t('hint.password', { min: PASSWORD_MIN_LENGTH })}>
            {(control) => (
              <input {...control} name="password" type="password" autoComplete="new-password" value={draft.password} onChange={(e) => update({ password: e.target.value })} />
            )}
          </Field>
          <UnitField value={draft.unitId} onChange={(unitId) => update({ unitId })} error={fieldError('unitId')} />
        </div>
        <RolesField roles={draft.roles} onChange={(roles) => update({ roles })} error={fieldError('roles')} />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t('common.submitting') : t('users.create')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** The admin's screen: the accounts of their subtree, paged and searchable, each with its changes; and the form that creates one. */
export function UsersPage() {
  const { t } = useI18n();
  const { me, units } = useSession();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  const [page, setPage] = useState(1);
  const [panel, setPanel] = useState<{ readonly id: string; readonly mode: PanelMode } | null>(null);
  const [said, setSaid] = useState<Said | null>(null);
  const users = useResource(
    (signal) =>
      get<AccountPage>(
        '/api/v1/users',
        { q: applied.q.trim(), unitId: applied.unitId, includeDisabled: applied.includeDisabled ? 'true' : undefined, page, pageSize: PAGE_SIZE },
        signal,
      ),
    [applied, page],
  );
  const pages = pageCount(users.data?.total, PAGE_SIZE);

  const search = (event: FormEvent) => {
    event.preventDefault();
    setApplied(draft);
    setPage(1);
    setPanel(null);
  };
  const open = (id: string, mode: PanelMode) => {
    setSaid(null);
    setPanel(panel?.id === id && panel.mode === mode ? null : { id, mode });
  };
  const done: Done = (account, message) => {
    setPanel(null);
    setSaid({ key: message, username: account?.username ?? '' });
    users.reload();
  };
  const enable = async (account: Account) => {
    setPanel(null);
    setSaid(null);
    try {
      await post<Account>(`/api/v1/users/${account.id}/enable`, {});
      setSaid({ key: 'users.enabledDone', username: account.username });
    } catch (failure) {
      setSaid({ error: failure });
    }
    users.reload();
  };

  const panelFor = (account: Account) => {
    if (panel?.id !== account.id) return null;
    const close = () => setPanel(null);
    if (panel.mode === 'edit') return <EditPanel account={account} onDone={done} onClose={close} />;
    if (panel.mode === 'disable') return <DisablePanel account={account} onDone={done} onClose={close} />;
    if (panel.mode === 'reset') return <ResetPanel account={account} onClose={close} />;
    return <HistoryPanel account={account} people={[me, ...(users.data?.items ?? [])]} onClose={close} />;
  };

  return (
    <div className="page">
      <PageHeader title={t('users.title')} intro={t('users.intro')} />
      <CreateAccount onCreated={users.reload} />

      <section className="card" aria-labelledby="users-title">
        <h2 id="users-title">{t('users.list')}</h2>
        <form className="filters" onSubmit={search} aria-label={t('users.filters')}>
          <Field label={t('users.q')}>
            {(control) => <input {...control} type="search" name="q" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />}
          </Field>
          <Field label={t('stats.unit')}>
            {(control) => (
              <select {...control} name="unitFilter" value={draft.unitId} onChange={(e) => setDraft({ ...draft, unitId: e.target.value })}>
                <Options values={units.subtree(me.unitId).map((unit) => unit.id)} label={(id) => units.name(id)} empty={t('users.allUnits')} />
              </select>
            )}
          </Field>
          <label className="check">
            <input type="checkbox" checked={draft.includeDisabled} onChange={(e) => setDraft({ ...draft, includeDisabled: e.target.checked })} />
            {t('users.showDisabled')}
          </label>
          <button type="submit" className="button button-primary">
            {t('users.search')}
          </button>
        </form>
        {said &&
          ('error' in said ? (
            <ErrorNotice error={said.error} />
          ) : (
            <div className="notice notice-success" role="status">
              <p className="notice-title">{t(said.key, { username: said.username })}</p>
            </div>
          ))}
        {users.error !== undefined && <LoadFailed error={users.error} retry={users.reload} />}
        {!users.data ? (
          users.error === undefined && <Loading />
        ) : users.data.items.length === 0 ? (
          <p className="empty">{t('users.empty')}</p>
        ) : (
          <>
            <p className="list-total">{t('users.total', { n: users.data.total })}</p>
            <div className="users-table-wrap">
              <table className="users-table">
                <thead>
                  <tr>
                    <th scope="col">{t('field.username')}</th>
                    <th scope="col">{t('field.displayName')}</th>
                    <th scope="col">{t('field.roles')}</th>
                    <th scope="col">{t('users.unit')}</th>
                    <th scope="col">{t('users.status')}</th>
                    <th scope="col">{t('users.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {users.data.items.map((account) => {
                    const self = account.id === me.id;
                    const button = (mode: PanelMode, label: MessageKey) => (
                      <button type="button" className="button button-small" aria-expanded={panel?.id === account.id && panel.mode === mode} onClick={() => open(account.id, mode)}>
                        {t(label)}
                      </button>
                    );
                    const panelView = panelFor(account);
                    return (
                      <Fragment key={account.id}>
                        <tr data-username={account.username} className={account.enabled ? undefined : 'account-disabled'}>
                          <td>
                            {account.username}
                            {self && <span className="muted"> {t('users.you')}</span>}
                          </td>
                          <td>{account.displayName}</td>
                          <td>{account.roles.map((role) => t(`role.${role}`)).join(t('users.listSeparator'))}</td>
                          <td>{units.name(account.unitId)}</td>
                          <td>
                            <span className={`badge${account.enabled ? '' : ' badge-disabled'}`}>{t(account.enabled ? 'users.enabled' : 'users.disabled')}</span>
                          </td>
                          <td>
                            <div className="account-actions">
                              {button('edit', 'users.edit')}
                              {!self &&
                                (account.enabled ? (
                                  button('disable', 'users.disable')
                                ) : (
                                  <button type="button" className="button button-small" onClick={() => void enable(account)}>
                                    {t('users.enable')}
                                  </button>
                                ))}
                              {!self && button('reset', 'users.resetPassword')}
                              {button('history', 'users.history')}
                            </div>
                          </td>
                        </tr>
                        {panelView && (
                          <tr className="account-panel-row">
                            <td colSpan={6}>{panelView}</td>
                          </tr>
                        )}
                      </Fragment>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <Pager page={page} pages={pages} goTo={setPage} />
          </>
        )}
      </section>
    </div>
  );
}
