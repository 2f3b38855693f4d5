import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { ErrorNotice, Field } from '../components.js';
import { checkText, collect, problemText, serverProblems, type Problems } from '../forms/problems.js';
import { LanguageSwitch, useI18n } from '../i18n/i18n.js';
import { Link } from '../router.js';
import { useSessionState } from '../session.js';

export function LoginPage() {
  const { t } = useI18n();
  const { login, ended } = useSessionState();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<Problems>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = collect({
      username: checkText(username, { required: true, max: 64 }),
      password: checkText(password, { required: true, max: 1024 }),
    });
    setProblems(found);
    setError(null);
    if (Object.keys(found).length > 0 || busy) return;
    setBusy(true);
    try {
      await login(username.trim(), password);
    } catch (failure) {
      setError(failure);
      if (failure instanceof ApiError) setProblems(serverProblems(failure.details));
      setBusy(false);
    }
  };

  return (
    <div className="login-screen">
      <div className="login-lang">
        <LanguageSwitch />
      </div>
      <main className="login-card" id="main">
        <p className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            民
          </span>
          <span className="brand-name">
            {t('app.name')} <span className="brand-tagline">{t('app.tagline')}</span>
          </span>
        </p>
        <h1 id="page-title">{t('login.title')}</h1>
        <p className="page-intro">{t('login.intro')}</p>
        {ended && !error && (
          <div className="notice notice-info" role="status">
            {t(ended === 'revoked' ? 'login.revoked' : ended === 'loggedOut' ? 'login.loggedOut' : 'login.expired')}
          </div>
        )}
        {error !== null && <ErrorNotice error={error} />}
        <form onSubmit={submit} noValidate className="form">
          <Field label={t('login.username')} required error={problemText(problems.username, t)}>
            {(control) => (
              <input {...control} name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} />
            )}
          </Field>
          <Field label={t('login.password')} required error={problemText(problems.password, t)}>
            {(control) => (
              <input
                {...control}
                name="password"
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" className="button button-primary button-wide" disabled={busy}>
            {busy ? t('login.submitting') : t('login.submit')}
          </button>
        </form>
        <p className="login-public">
          {t('login.residents')} <Link to="/mailbox">{t('login.mailbox')}</Link>
        </p>
      </main>
    </div>
  );
}
