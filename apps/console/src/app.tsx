import { useEffect } from 'react';
import type { Role } from './api/types.js';
import { LanguageSwitch, useI18n, type MessageKey } from './i18n/i18n.js';
import { CasePage } from './pages/case-page.js';
import { CasesPage } from './pages/cases-page.js';
import { FileCasePage } from './pages/file-case-page.js';
import { InboxPage } from './pages/inbox-page.js';
import { LoginPage } from './pages/login-page.js';
import { NotificationsPage } from './pages/notifications-page.js';
import { ForcedPasswordScreen, PasswordPage } from './pages/password-page.js';
import { PublicApp, isPublicPath } from './pages/public/public-shell.js';
import { StatsPage } from './pages/stats-page.js';
import { BulletinComposePage, BulletinPage, BulletinsPage } from './pages/bulletins-page.js';
import { AppraisalPage, HotspotsPage, RankingsPage } from './pages/reports-page.js';
import { UsersPage } from './pages/users-page.js';
import { Link, match, navigate, useFocusOnNavigation, useLocation } from './router.js';
import { homePath, leaderOnly } from './roles.js';
import { useSession, useSessionState } from './session.js';
import { UnreadProvider, useUnread } from './unread.js';

/** The screens each role works in, in the order of the navigation. */
interface Screen {
  readonly path: string;
  readonly label: MessageKey;
  readonly roles: readonly Role[];
}

const SCREENS: readonly Screen[] = [
  { path: '/inbox', label: 'nav.inbox', roles: ['clerk', 'coordinator', 'leader'] },
  { path: '/cases/new', label: 'nav.file', roles: ['clerk', 'coordinator'] },
  { path: '/cases/mine', label: 'nav.mine', roles: ['clerk'] },
  { path: '/cases', label: 'nav.cases', roles: ['clerk', 'coordinator', 'leader', 'auditor', 'admin'] },
  { path: '/stats', label: 'nav.stats', roles: ['coordinator', 'leader', 'auditor', 'admin'] },
  { path: '/bulletins', label: 'nav.bulletins', roles: ['coordinator', 'leader', 'auditor'] },
  { path: '/appraisal', label: 'nav.appraisal', roles: ['coordinator', 'leader', 'auditor', 'admin'] },
  { path: '/rankings', label: 'nav.rankings', roles: ['coordinator', 'leader', 'auditor', 'admin'] },
  { path: '/hotspots', label: 'nav.hotspots', roles: ['coordinator', 'leader', 'auditor', 'admin'] },
  { path: '/users', label: 'nav.users', roles: ['admin'] },
];

function Header() {
  const { t } = useI18n();
  const session = useSession();
  const { me, units } = session;
  const { path } = useLocation();
  const { count } = useUnread();
  const screens = SCREENS.filter((screen) => screen.roles.some((r) => session.has(r)));
  return (
    <header className="app-header">
      <div className="header-bar">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            民
          </span>
          <span className="brand-name">{t('app.name')}</span>
        </Link>
        <div className="header-tools">
          <Link to="/notifications" className="button button-quiet notifications-link" aria-label={t('header.unread', { n: count ?? 0 })}>
            <span aria-hidden="true">{t('nav.notifications')}</span>
            <span className={`count${count ? ' count-unread' : ''}`} aria-hidden="true" data-testid="unread-count">
              {count ?? 0}
            </span>
          </Link>
          <LanguageSwitch />
          <div className="account">
            <span className="account-name">{me.displayName}</span>
            <span className="account-meta">
              {units.name(me.unitId)} · {me.roles.map((r) => t(`role.${r}`)).join('、')}
            </span>
          </div>
          <Link to="/account/password" className="button button-quiet" aria-current={path === '/account/password' ? 'page' : undefined}>
            {t('header.changePassword')}
          </Link>
          <button type="button" className="button button-quiet" onClick={() => void session.logout()}>
            {t('header.logout')}
          </button>
        </div>
      </div>
      <nav className="app-nav" aria-label={t('nav.label')}>
        <ul>
          {screens.map((screen) => {
            const active =
              path === screen.path ||
              (screen.path === '/cases' && match('/cases/:id', path) !== null && !SCREENS.some((s) => s.path === path)) ||
              (screen.path === '/bulletins' && path.startsWith('/bulletins/'));
            return (
              <li key={screen.path}>
                <Link to={screen.path} aria-current={active ? 'page' : undefined}>
                  {t(screen.path === '/inbox' && leaderOnly(session) ? 'nav.inboxLeader' : screen.label)}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
    </header>
  );
}

function NotFound() {
  const { t } = useI18n();
  return (
    <div className="page">
      <h1 id="page-title" tabIndex={-1}>
        {t('app.notFound')}
      </h1>
      <p>
        <Link to="/">{t('app.home')}</Link>
      </p>
    </div>
  );
}

function Screens() {
  const session = useSession();
  const { path, query } = useLocation();
  const home = homePath(session);
  useEffect(() => {
    if (path === '/' || path === '/login') navigate(home, { replace: true });
  }, [path, home]);

  if (path === '/inbox') return <InboxPage />;
  if (path === '/cases/new') return <FileCasePage />;
  if (path === '/cases/mine') return <CasesPage key="mine" mine />;
  if (path === '/cases') return <CasesPage key="all" query={query} />;
  if (path === '/stats') return <StatsPage />;
  if (path === '/appraisal') return <AppraisalPage />;
  if (path === '/rankings') return <RankingsPage />;
  if (path === '/hotspots') return <HotspotsPage />;
  if (path === '/bulletins') return <BulletinsPage />;
  if (path === '/bulletins/new') return session.has('coordinator') ? <BulletinComposePage key="new" /> : <NotFound />;
  const editRoute = match('/bulletins/:id/edit', path);
  if (editRoute) return session.has('coordinator') ? <BulletinComposePage key={editRoute.id} id={editRoute.id!} /> : <NotFound />;
  const bulletinRoute = match('/bulletins/:id', path);
  if (bulletinRoute) return <BulletinPage key={bulletinRoute.id} id={bulletinRoute.id!} />;
  if (path === '/notifications') return <NotificationsPage />;
  if (path === '/account/password') return <PasswordPage />;
  if (path === '/users') return session.has('admin') ? <UsersPage /> : <NotFound />;
  const caseRoute = match('/cases/:id', path);
  if (caseRoute) return <CasePage key={caseRoute.id} id={caseRoute.id!} />;
  if (path === '/' || path === '/login') return null;
  return <NotFound />;
}

function Shell() {
  const { t } = useI18n();
  useFocusOnNavigation();
  return (
    <UnreadProvider>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <Header />
      <main id="main" className="app-main">
        <Screens />
      </main>
    </UnreadProvider>
  );
}

export function App() {
  const { session } = useSessionState();
  const { t } = useI18n();
  const { path } = useLocation();
  // The resident's pages need no account, and never use a staff session open in the same tab.
  if (isPublicPath(path)) return <PublicApp />;
  if (session === undefined) {
    return (
      <div className="app-starting" role="status">
        {t('app.loading')}
      </div>
    );
  }
  if (!session) return <LoginPage />;
  return session.mustChangePassword ? <ForcedPasswordScreen /> : <Shell />;
}
