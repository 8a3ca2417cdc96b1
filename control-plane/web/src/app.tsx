/**
 * The shell: skip link, banner with language switch and logout, role-based navigation, the
 * page, and one polite live region for announcements. Without a session it shows the login.
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useI18n } from './i18n/index.tsx';
import { api, ApiError, setCsrfToken, setUnauthenticatedHandler } from './lib/api.ts';
import { EP } from './lib/endpoints.ts';
import { allowed, NAV, navFor } from './lib/nav.ts';
import { Link, match, navigate, usePath } from './lib/router.tsx';
import { SessionCtx, type Me } from './lib/session.tsx';
import { LiveProvider } from './lib/live.tsx';
import { Bell } from './components/bell.tsx';
import { ErrorView, Loading, NotAllowed } from './components/status.tsx';
import { Page } from './components/page.tsx';
import { LoginPage } from './pages/login.tsx';
import { RegisterPage } from './pages/register.tsx';
import { HomePage } from './pages/home.tsx';
import { ProjectsPage } from './pages/projects.tsx';
import { ProjectPage } from './pages/project.tsx';
import { ApplyPage } from './pages/apply.tsx';
import { ExplorePage } from './pages/explore.tsx';
import { ApplicationsPage } from './pages/applications.tsx';
import { ApplicationPage } from './pages/application.tsx';
import { PermitsPage } from './pages/permits.tsx';
import { CopiesPage } from './pages/copies.tsx';
import { ReviewsPage } from './pages/reviews.tsx';
import { AuditPage } from './pages/audit.tsx';
import { CaseStatsPage } from './pages/case-stats.tsx';
import { CitizenPage } from './pages/citizen.tsx';
import { AdminQuestionsPage } from './pages/admin-questions.tsx';
import { OperatorRoomsPage } from './pages/operator-rooms.tsx';
import { UsersPage } from './pages/users.tsx';
import { NotificationsPage } from './pages/notifications.tsx';

function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  const other = lang === 'nb' ? 'en' : 'nb';
  return (
    <button type="button" className="lang" lang={other} onClick={() => setLang(other)} aria-label={t('lang.switchLabel')} data-testid="lang-switch">
      {t('lang.switch')}
    </button>
  );
}

/** The route table: path pattern, which nav item guards it (roles), and the page. */
function route(path: string, roles: readonly string[]): ReactNode {
  const guard = (navId: string, page: ReactNode) => {
    const item = NAV.find((n) => n.id === navId)!;
    return allowed(item, roles) ? page : <NotAllowedPage />;
  };
  let m: Record<string, string> | null;
  if (path === '/' || path === '') return <HomePage />;
  if (match('/notifications', path)) return <NotificationsPage />;
  if (match('/projects', path)) return guard('projects', <ProjectsPage />);
  if ((m = match('/projects/:id', path))) return guard('projects', <ProjectPage projectId={m.id!} tab="overview" />);
  if ((m = match('/projects/:id/room', path))) return guard('projects', <ProjectPage projectId={m.id!} tab="room" />);
  if ((m = match('/projects/:id/exports', path))) return guard('projects', <ProjectPage projectId={m.id!} tab="exports" />);
  if (match('/explore', path)) return guard('explore', <ExplorePage />);
  if (match('/apply', path)) return guard('apply', <ApplyPage />);
  if (match('/applications', path)) return guard('my-applications', <ApplicationsPage mode="lead" />);
  if (match('/admin/applications', path)) return guard('admin-applications', <ApplicationsPage mode="admin" />);
  if ((m = match('/applications/:id', path)))
    return guard(roles.includes('access_admin') ? 'admin-applications' : 'my-applications', <ApplicationPage id={m.id!} />);
  if (match('/admin/permits', path)) return guard('admin-permits', <PermitsPage />);
  if (match('/admin/copies', path)) return guard('admin-copies', <CopiesPage />);
  if (match('/admin/reviews', path)) return guard('admin-reviews', <ReviewsPage />);
  if (match('/admin/case-stats', path)) return guard('case-stats', <CaseStatsPage />);
  if (match('/admin/questions', path)) return guard('admin-questions', <AdminQuestionsPage />);
  if (match('/audit', path)) return guard('audit', <AuditPage />);
  if (match('/citizen', path)) return guard('citizen', <CitizenPage />);
  if (match('/operator/rooms', path)) return guard('operator-rooms', <OperatorRoomsPage />);
  if (match('/operator/users', path)) return guard('operator-users', <UsersPage />);
  return <NotFoundPage />;
}

function NotAllowedPage() {
  const { t } = useI18n();
  return (
    <Page title={t('error.notAllowedTitle')}>
      <NotAllowed />
    </Page>
  );
}

function NotFoundPage() {
  const { t } = useI18n();
  return (
    <Page title={t('error.pageNotFound')}>
      <p>{t('error.pageNotFoundText')}</p>
      <p>
        <Link href="/">{t('nav.home')}</Link>
      </p>
    </Page>
  );
}

export function App() {
  const { t, lang } = useI18n();
  const path = usePath();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [announcement, setAnnouncement] = useState('');

  const loadMe = useCallback(async () => {
    try {
      const m = await api<Me>('GET', EP.me);
      setCsrfToken(m.csrfToken);
      setMe(m);
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'unauthenticated') setMe(null);
      else setError(err);
    }
  }, []);
  useEffect(() => {
    setUnauthenticatedHandler(() => setMe(null));
    void loadMe();
  }, [loadMe]);

  // An announcement is transient: after a language switch it would linger in the other language.
  // One made before the switch and still waiting for its timer is dropped too, or it would land
  // after the clearing, in the language of before.
  const generation = useRef(0);
  useEffect(() => {
    generation.current += 1;
    setAnnouncement('');
  }, [lang]);

  const announce = useCallback((msg: string) => {
    const made = generation.current;
    setAnnouncement('');
    setTimeout(() => {
      if (generation.current === made) setAnnouncement(msg);
    }, 50);
  }, []);

  const logout = async () => {
    await api('POST', EP.logout).catch(() => undefined);
    setCsrfToken(null);
    setMe(null);
    navigate('/');
  };

  let body: ReactNode;
  if (error) body = <ErrorView error={error} />;
  else if (me === undefined) body = <Loading />;
  else if (path === '/register') body = <RegisterPage />;
  else if (me === null) body = <LoginPage onLoggedIn={loadMe} />;
  else body = route(path, me.roles);

  const items = me ? navFor(me.roles) : [];
  const shell = (
    <>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="banner">
        <Link href="/" className="brand">
          {t('app.name')}
        </Link>
        <span className="tagline">{t('app.tagline')}</span>
        <span className="spacer" />
        <LanguageSwitch />
        {me ? (
          <>
            <Bell />
            <span className="who">{t('app.signedInAs', { name: me.displayName })}</span>
            <button type="button" onClick={logout}>
              {t('nav.logout')}
            </button>
          </>
        ) : null}
      </header>
      <div className="layout">
        {me ? (
          <nav aria-label={t('nav.label')} className="sidenav">
            <ul>
              <li>
                <Link href="/" aria-current={path === '/' ? 'page' : undefined}>
                  {t('nav.home')}
                </Link>
              </li>
              {items.map((n) => (
                <li key={n.id}>
                  <Link href={n.path} data-nav={n.id} aria-current={path === n.path || path.startsWith(`${n.path}/`) ? 'page' : undefined}>
                    {t(n.label)}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        <main id="main" tabIndex={-1}>
          {me ? <SessionCtx.Provider value={{ me, announce }}>{body}</SessionCtx.Provider> : body}
        </main>
      </div>
      <div className="visually-hidden" aria-live="polite" role="status" data-testid="announcer">
        {announcement}
      </div>
    </>
  );
  // Signed in: one live notification stream for the page, started again for another user.
  return me ? <LiveProvider key={me.id}>{shell}</LiveProvider> : shell;
}
