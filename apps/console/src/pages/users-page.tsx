import { ROLES, type Role } from '#domain';
import { useRef, useState, type FormEvent } from 'react';
import { ApiError, get, post } from '../api/client.js';
import type { PublicUser } from '../api/types.js';
import { ErrorNotice, Field, focusFirstProblem, LoadFailed, Loading, Options, PageHeader } from '../components.js';
import { problemText, serverProblems, type Problems } from '../forms/problems.js';
import { checkUser, emptyUserDraft, PASSWORD_MIN_LENGTH, userBody, type UserDraft } from '../forms/user.js';
import { useI18n } from '../i18n/i18n.js';
import { useSession } from '../session.js';
import { useResource } from '../use-resource.js';

/** The admin's screen: every account, and the form that creates one. */
export function UsersPage() {
  const { t } = useI18n();
  const { me, units } = useSession();
  const scope = units.subtree(me.unitId);
  const users = useResource((signal) => get<PublicUser[]>('/api/v1/users', {}, signal), []);
  const [draft, setDraft] = useState<UserDraft>(() => emptyUserDraft());
  const [problems, setProblems] = useState<Problems>({});
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<PublicUser | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const update = (change: Partial<UserDraft>) => setDraft((before) => ({ ...before, ...change }));
  const toggleRole = (role: Role, on: boolean) => update({ roles: on ? [...draft.roles, role] : draft.roles.filter((r) => r !== role) });
  const fieldError = (field: string) => problemText(problems[field], t);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const found = checkUser(
      draft,
      scope.map((unit) => unit.id),
    );
    setProblems(found);
    setError(null);
    setCreated(null);
    if (Object.keys(found).length > 0) return focusFirstProblem(form.current);
    setBusy(true);
    try {
      setCreated(await post<PublicUser>('/api/v1/users', userBody(draft)));
      setDraft(emptyUserDraft());
      users.reload();
    } catch (failure) {
      setError(failure);
      if (failure instanceof ApiError && failure.code === 'username_taken') setProblems({ username: { key: 'v.usernameTaken' } });
      else if (failure instanceof ApiError && failure.details.length > 0) setProblems(serverProblems(failure.details));
      focusFirstProblem(form.current);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <PageHeader title={t('users.title')} intro={t('users.intro')} />
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
            <Field label={t('users.unit')} required error={fieldError('unitId')}>
              {(control) => (
                <select {...control} name="unitId" value={draft.unitId} onChange={(e) => update({ unitId: e.target.value })}>
                  <Options values={scope.map((unit) => unit.id)} label={(id) => units.name(id)} empty={t('common.choose')} />
                </select>
              )}
            </Field>
          </div>
          <fieldset className={`field${problems.roles ? ' field-invalid' : ''}`} aria-invalid={Boolean(problems.roles)}>
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
                  <input type="checkbox" name="roles" value={role} checked={draft.roles.includes(role)} onChange={(e) => toggleRole(role, e.target.checked)} />{' '}
                  {t(`role.${role}`)}
                </label>
              ))}
            </div>
            {problems.roles && <p className="field-error">{fieldError('roles')}</p>}
          </fieldset>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? t('common.submitting') : t('users.create')}
            </button>
          </div>
        </form>
      </section>

      <section className="card" aria-labelledby="users-title">
        <h2 id="users-title">{t('users.list')}</h2>
        {users.error !== undefined && <LoadFailed error={users.error} retry={users.reload} />}
        {!users.data ? (
          users.error === undefined && <Loading />
        ) : users.data.length === 0 ? (
          <p className="empty">{t('users.empty')}</p>
        ) : (
          <div className="users-table-wrap">
            <table className="users-table">
              <thead>
                <tr>
                  <th scope="col">{t('field.username')}</th>
                  <th scope="col">{t('field.displayName')}</th>
                  <th scope="col">{t('field.roles')}</th>
                  <th scope="col">{t('users.unit')}</th>
                </tr>
              </thead>
              <tbody>
                {users.data.map((user) => (
                  <tr key={user.id}>
                    <td>{user.username}</td>
                    <td>{user.displayName}</td>
                    <td>{user.roles.map((role) => t(`role.${role}`)).join('、')}</td>
                    <td>{units.name(user.unitId)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
