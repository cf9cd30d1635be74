// The console's shell: session check, routes, navigation, language switch, the dry-run banner.
import { render } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { LocationProvider, Router, Route, useLocation } from 'preact-iso/router';
import { AppContext, api, html, onSessionExpired, setCsrfToken, useApp } from './lib.js';
import { LANGUAGES, initialLanguage, saveLanguage, translator } from './i18n.js';
import { SignIn } from './pages/sign-in.js';
import { Certificates } from './pages/certificates.js';
import { Devices } from './pages/devices.js';
import { TestPush } from './pages/test-push.js';
import { Deliveries } from './pages/deliveries.js';

const PAGES = [
  { path: '/console/certificates', key: 'nav.certificates', component: Certificates },
  { path: '/console/devices', key: 'nav.devices', component: Devices },
  { path: '/console/test-push', key: 'nav.testPush', component: TestPush },
  { path: '/console/deliveries', key: 'nav.deliveries', component: Deliveries },
];
const SIGN_IN = '/console/sign-in';

/** Only a console path may be a place to return to after signing in (never another origin or page). */
export function safeNext(next) {
  return typeof next === 'string' && /^\/console\/[A-Za-z0-9_-]+(\?[^#]*)?$/.test(next) && !next.startsWith(SIGN_IN)
    ? next : '/console/certificates';
}

function App() {
  const [lang, setLangState] = useState(initialLanguage);
  const t = useMemo(() => translator(lang), [lang]);
  // undefined: still asking the server; null: signed out.
  const [session, setSession] = useState(/** @type {import('./lib.js').Session | null | undefined} */ (undefined));
  const [meta, setMeta] = useState(/** @type {any} */ (null));
  const [expiredNotice, setExpiredNotice] = useState(false);
  const location = useLocation();

  useEffect(() => { document.documentElement.lang = lang; }, [lang]);

  const reloadMeta = useCallback(() => {
    api('GET', '/meta').then(setMeta, () => { /* the pages that need it show their own errors */ });
  }, []);

  const signedIn = useCallback((s) => {
    setCsrfToken(s.csrfToken);
    setSession(s);
    setExpiredNotice(false);
    reloadMeta();
  }, []);

  useEffect(() => {
    api('GET', '/session').then(signedIn, () => setSession(null));
  }, []);

  // A 401 on any page: back to sign-in, remembering where the administrator was.
  useEffect(() => {
    onSessionExpired(() => {
      setCsrfToken('');
      setSession(null);
      setExpiredNotice(true);
    });
  }, []);

  useEffect(() => {
    if (session === null && location.path !== SIGN_IN) {
      location.route(`${SIGN_IN}?next=${encodeURIComponent(location.url)}`, true);
    } else if (session && (location.path === SIGN_IN || location.path === '/console')) {
      location.route(safeNext(location.query.next), true);
    }
  }, [session, location.path]);

  const signOut = useCallback(async () => {
    try { await api('DELETE', '/session'); } catch { /* signed out locally either way */ }
    setCsrfToken('');
    setExpiredNotice(false);
    setSession(null);
  }, []);

  const setLang = useCallback((next) => { saveLanguage(next); setLangState(next); }, []);

  const state = { session, meta, lang, t, setLang, signedIn, signOut, reloadMeta };
  return html`<${AppContext.Provider} value=${state}>
    <a class="skip" href="#main">${t('app.skip')}</a>
    <${Header} />
    ${session && meta && meta.dryRun ? html`<p class="banner" role="status">${t('app.dryRunBanner')}</p>` : null}
    <main id="main">
      ${session === undefined ? html`<p class="loading" role="status">${t('app.loading')}</p>` : html`
        <${Router}>
          <${Route} path=${SIGN_IN} component=${SignIn} expired=${expiredNotice} />
          ${session ? PAGES.map((p) => html`<${Route} path=${p.path} component=${p.component} />`) : null}
          <${Route} default component=${session ? NotFound : Waiting} />
        <//>`}
    </main>
  <//>`;
}

function Header() {
  const { t, session, lang, setLang, signOut } = useApp();
  const { path } = useLocation();
  return html`<header class="top">
    <div class="brand"><span class="brand-name">${t('app.title')}</span></div>
    ${session ? html`<nav aria-label=${t('nav.label')}>
      <ul>
        ${PAGES.map((p) => html`<li><a href=${p.path} aria-current=${path === p.path ? 'page' : undefined}>${t(p.key)}</a></li>`)}
      </ul>
    </nav>` : null}
    <div class="tools">
      <label class="lang">
        <span>${t('app.language')}</span>
        <select value=${lang} onChange=${(e) => setLang(e.currentTarget.value)}>
          ${LANGUAGES.map((l) => html`<option value=${l.code} lang=${l.code}>${l.name}</option>`)}
        </select>
      </label>
      ${session ? html`<span class="who">${t('app.signedInAs', { name: session.name })}</span>
        <button type="button" class="secondary" onClick=${signOut}>${t('app.signOut')}</button>` : null}
    </div>
  </header>`;
}

function NotFound() {
  const { t } = useApp();
  return html`<section><h1>${t('notFound.title')}</h1><p><a href="/console/certificates">${t('notFound.back')}</a></p></section>`;
}

/** Shown for the moment between "signed out" and the redirect to the sign-in page. */
function Waiting() {
  const { t } = useApp();
  return html`<p class="loading" role="status">${t('app.loading')}</p>`;
}

const root = /** @type {HTMLElement} */ (document.getElementById('app'));
// The static "Loading…" line is not Preact's: render() would keep it next to the app.
root.textContent = '';
render(html`<${LocationProvider} scope="/console"><${App} /><//>`, root);
