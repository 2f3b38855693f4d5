import { useState } from 'react';
import { ErrorNotice, Field, PageHeader } from '../components.js';
import { CHOSEN_PASSWORD_MAX_LENGTH, CHOSEN_PASSWORD_MIN_LENGTH, checkPasswordChange, emptyPasswordDraft, type PasswordDraft } from '../forms/password.js';
import { problemText } from '../forms/problems.js';
import { LanguageSwitch, useI18n } from '../i18n/i18n.js';
import { useSession } from '../session.js';
import { useCommandForm } from '../use-command-form.js';

/**
 * The form that changes the user's own password, with the rules shown beside the new one and the
 * server's refusals beside their fields. `forced`: after a reset, the current password is the
 * temporary one.
 */
function PasswordForm({ forced, onChanged }: { readonly forced: boolean; readonly onChanged: () => void }) {
  const { t } = useI18n();
  const { me, changePassword } = useSession();
  const [draft, setDraft] = useState<PasswordDraft>(emptyPasswordDraft);
  const update = (change: Partial<PasswordDraft>) => setDraft((before) => ({ ...before, ...change }));
  const { problems, error, busy, form, submit } = useCommandForm(
    () => checkPasswordChange(draft, me.username),
    async () => {
      await changePassword(draft.currentPassword, draft.newPassword);
      setDraft(emptyPasswordDraft());
      onChanged();
    },
  );
  const fieldError = (field: string) => problemText(problems[field], t);

  const password = (name: keyof PasswordDraft, label: string, autoComplete: string, hint?: string) => (
    <Field label={label} required error={fieldError(name)} hint={hint}>
      {(control) => (
        <input {...control} name={name} type="password" autoComplete={autoComplete} value={draft[name]} onChange={(e) => update({ [name]: e.target.value })} />
      )}
    </Field>
  );

  return (
    <form ref={form} className="form" onSubmit={submit} noValidate aria-label={t('password.title')}>
      {error !== null && <ErrorNotice error={error} />}
      {/* A hidden username lets password managers file the new password under the right account. */}
      <input type="text" name="username" autoComplete="username" value={me.username} readOnly hidden />
      {password('currentPassword', t(forced ? 'password.currentForced' : 'password.current'), 'current-password')}
      {password(
        'newPassword',
        t('password.new'),
        'new-password',
        t('password.rules', { min: CHOSEN_PASSWORD_MIN_LENGTH, max: CHOSEN_PASSWORD_MAX_LENGTH }),
      )}
      {password('confirmPassword', t('password.confirm'), 'new-password')}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? t('password.submitting') : t('password.submit')}
        </button>
      </div>
    </form>
  );
}

/** 修改密码, reached from the header: any user changes their own password. */
export function PasswordPage() {
  const { t } = useI18n();
  const [changed, setChanged] = useState(false);
  return (
    <div className="page">
      <PageHeader title={t('password.title')} intro={t('password.intro')} />
      <section className="card">
        {changed && (
          <div className="notice notice-success" role="status">
            <p className="notice-title">{t('password.changed')}</p>
          </div>
        )}
        <PasswordForm forced={false} onChanged={() => setChanged(true)} />
      </section>
    </div>
  );
}

/**
 * After a password reset: nothing but this screen (no navigation) until a new password is chosen;
 * then the session logs in again with it and the console carries on.
 */
export function ForcedPasswordScreen() {
  const { t } = useI18n();
  const { me, logout } = useSession();
  return (
    <div className="login-screen">
      <div className="login-lang">
        <LanguageSwitch />
        <button type="button" className="button button-quiet" onClick={() => void logout()}>
          {t('header.logout')}
        </button>
      </div>
      <main className="login-card" id="main">
        <h1 id="page-title">{t('password.forcedTitle')}</h1>
        <p className="page-intro">{t('password.forcedIntro')}</p>
        <p className="forced-account">{`${me.displayName} (${me.username})`}</p>
        <PasswordForm forced onChanged={() => undefined} />
      </main>
    </div>
  );
}
