import { lazy, Suspense, useEffect, useState } from 'react';
import type { Notice } from '../../shared/api';
import { Icon } from './components/icons';
import { HashRouter, NavLink, Route, Routes, useNavigate } from 'react-router';
import { api } from './api';
import { useTranslation } from 'react-i18next';
import { HostCheckProvider } from './hooks';
import { Dashboard } from './pages/dashboard';

// The dashboard comes with the app; every other page is loaded when first shown.
const HostPage = lazy(() => import('./pages/host').then((m) => ({ default: m.HostPage })));
const MachinesPage = lazy(() => import('./pages/machines').then((m) => ({ default: m.MachinesPage })));
const SettingsPage = lazy(() => import('./pages/settings').then((m) => ({ default: m.SettingsPage })));
const SetupPage = lazy(() => import('./pages/setup/index').then((m) => ({ default: m.SetupPage })));
const TroubleshootPage = lazy(() => import('./pages/troubleshoot').then((m) => ({ default: m.TroubleshootPage })));
const VmPage = lazy(() => import('./pages/vm').then((m) => ({ default: m.VmPage })));
const NewVmPage = lazy(() => import('./pages/new-vm').then((m) => ({ default: m.NewVmPage })));

const PAGES = [
  { path: '/', key: 'dashboard', element: <Dashboard /> },
  { path: '/setup', key: 'setup', element: <SetupPage /> },
  { path: '/host', key: 'host', element: <HostPage /> },
  { path: '/machines', key: 'machines', element: <MachinesPage /> },
  { path: '/troubleshoot', key: 'troubleshoot', element: <TroubleshootPage /> },
  { path: '/settings', key: 'settings', element: <SettingsPage /> },
] as const;

const LOADED_AT = Date.now();

/** Follows the tray's "Details…" and notification clicks (ignoring any sent before this page loaded). */
function NavigationRequests() {
  const navigate = useNavigate();
  useEffect(
    () =>
      api.on('app.navigate', ({ path, at }) => {
        if (at >= LOADED_AT) void navigate(path);
      }),
    [navigate],
  );
  return null;
}

/** What the main process has to tell once (a file of Vitrine's kept aside), until dismissed. */
function Notices() {
  const { t } = useTranslation();
  const [notices, setNotices] = useState<Notice[]>([]);
  useEffect(() => {
    void api.app.notices().then((r) => r.ok && setNotices(r.value));
  }, []);
  if (notices.length === 0) return null;
  return (
    <div className="banner banner-warn" role="status">
      {notices.map((notice) => (
        <p key={notice.path}>{t(`notices.${notice.kind}`, { path: notice.path })}</p>
      ))}
      <button type="button" onClick={() => setNotices([])}>
        {t('notices.dismiss')}
      </button>
    </div>
  );
}

/** The app shell: navigation on the left, the page on the right; one host check shared by its pages. */
export function App() {
  const { t } = useTranslation();
  return (
    <HostCheckProvider>
      <HashRouter>
        <NavigationRequests />
        <a className="skip-link" href="#main">
          {t('app.skip')}
        </a>
        <div className="shell">
          <nav className="sidebar" aria-label={t('nav.label')}>
            <div className="brand" aria-hidden="true">
              {t('app.name')}
            </div>
            <ul>
              {PAGES.map((page) => (
                <li key={page.key}>
                  <NavLink to={page.path} end={page.path === '/' || page.path === '/host'}>
                    <Icon name={page.key} /> {t(`nav.${page.key}`)}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <main id="main" className="content" tabIndex={-1}>
            <Notices />
            <Suspense fallback={null}>
              <Routes>
                {PAGES.map((page) => (
                  <Route key={page.key} path={page.path} element={page.element} />
                ))}
                <Route path="/machines/new" element={<NewVmPage />} />
                <Route path="/machines/:name" element={<VmPage />} />
              </Routes>
            </Suspense>
          </main>
        </div>
      </HashRouter>
    </HostCheckProvider>
  );
}
