import { useEffect } from 'react';
import { LanguageSwitch, useI18n } from '../../i18n/i18n.js';
import { Link, useFocusOnNavigation, useLocation } from '../../router.js';
import { MailboxPage } from './mailbox-page.js';
import { TrackPage } from './track-page.js';

/** The resident's pages: shown to anyone, without logging in. */
const PUBLIC_PATHS = ['/mailbox', '/track'];

export function isPublicPath(path: string): boolean {
  return PUBLIC_PATHS.includes(path.replace(/\/+$/, ''));
}

/** The resident's pages under a header of their own: the mailbox's name, its two pages, the language. */
export function PublicApp() {
  const { t, language } = useI18n();
  const { path, query } = useLocation();
  const here = path.replace(/\/+$/, '');
  useFocusOnNavigation();
  useEffect(() => {
    // After the provider's own title, which names the staff console.
    const timer = window.setTimeout(() => {
      document.title = `${t(here === '/track' ? 'track.title' : 'mailbox.title')} · ${t('public.tagline')}`;
    }, 0);
    return () => window.clearTimeout(timer);
  }, [t, language, here]);
  return (
    <div className="public">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="public-header">
        <div className="public-header-bar">
          <Link to="/mailbox" className="brand">
            <span className="brand-mark" aria-hidden="true">
              民
            </span>
            <span className="brand-name">
              {t('app.name')} <span className="public-brand-sub">{t('public.title')}</span>
            </span>
          </Link>
          <LanguageSwitch />
        </div>
        <nav className="public-nav" aria-label={t('public.nav')}>
          <Link to="/mailbox" aria-current={here === '/mailbox' ? 'page' : undefined}>
            {t('public.navMailbox')}
          </Link>
          <Link to="/track" aria-current={here === '/track' ? 'page' : undefined}>
            {t('public.navTrack')}
          </Link>
        </nav>
      </header>
      <main id="main" className="public-main">
        {here === '/track' ? <TrackPage key={query.toString()} query={query} /> : <MailboxPage />}
      </main>
      <footer className="public-footer">
        <p>{t('public.footer')}</p>
      </footer>
    </div>
  );
}
