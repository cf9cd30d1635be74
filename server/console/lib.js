// Shared pieces of the console: the htm tag bound to Preact, the app context (session, metadata, language),
// the administration API client and the small components every page uses for errors and fields.
import { h, createContext } from 'preact';
import { useContext, useEffect, useRef } from 'preact/hooks';
import htm from 'htm';

/** htm escapes every interpolated value (text and attributes), so server data never becomes markup. */
export const html = htm.bind(h);

/** @typedef {{ name: string, csrfToken: string, expiresAt: number }} Session */
/**
 * @typedef {{
 *   session: Session | null | undefined, meta: any, lang: string, t: (key: string, params?: Record<string, unknown>) => string,
 *   setLang: (lang: string) => void, signedIn: (s: Session) => void, signOut: () => Promise<void>, reloadMeta: () => void,
 * }} AppState
 */
export const AppContext = createContext(/** @type {AppState} */ (/** @type {unknown} */ (null)));
/** @returns {AppState} */
export const useApp = () => useContext(AppContext);

export class ApiError extends Error {
  /**
   * @param {number} status 0 when the server could not be reached
   * @param {string} message the server's `error` sentence
   * @param {string} [field] the field it names, e.g. body/serviceAccount
   * @param {number} [retryAfter] seconds, with 429
   */
  constructor(status, message, field, retryAfter) {
    super(message);
    this.status = status;
    this.field = field;
    this.retryAfter = retryAfter;
  }
}

const API = '/api/v1/admin';
let csrfToken = '';
let expired = () => {};

/** The CSRF token of the current session: sent with every change except signing in. */
export function setCsrfToken(token) { csrfToken = token; }
/** Called when any request but the session's own answers 401: the session ended while a page was open. */
export function onSessionExpired(callback) { expired = callback; }

/**
 * One request to the administration API. Resolves with the JSON answer (null for 204); rejects with an ApiError.
 * @param {'GET'|'POST'|'PUT'|'DELETE'} method
 * @param {string} path under /api/v1/admin
 * @param {unknown} [body]
 */
export async function api(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response;
  try {
    response = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, '');
  }
  if (response.status === 204) return null;
  let data = null;
  try { data = await response.json(); } catch { /* not JSON: the status says enough */ }
  if (!response.ok) {
    const retry = Number(response.headers.get('retry-after'));
    const error = new ApiError(response.status, (data && typeof data.error === 'string') ? data.error : '',
      data && typeof data.field === 'string' ? data.field : undefined, Number.isFinite(retry) && retry > 0 ? retry : undefined);
    if (response.status === 401 && path !== '/session') expired();
    throw error;
  }
  return data;
}

/** The sentence to show for a failed request: the server's own, or ours when it gave none. */
export function errorText(t, error) {
  if (!(error instanceof ApiError)) return t('error.unexpected', { message: String(error && error.message || error) });
  if (error.status === 0) return t('error.network');
  const base = error.message || t('error.status', { status: error.status });
  if (error.status === 429 && error.retryAfter) return `${base} ${t('error.retryAfter', { seconds: error.retryAfter })}`;
  return base;
}

/** A form-level error (or none): announced by screen readers as soon as it appears. */
export function ErrorBox({ error, id }) {
  const { t } = useApp();
  return html`<div class="live" aria-live="assertive" id=${id}>
    ${error ? html`<p class="error" role="alert"><strong>${t('error.title')}</strong> ${errorText(t, error)}</p>` : null}
  </div>`;
}

/** "Loading…" while nothing is there yet. */
export function Loading() {
  const { t } = useApp();
  return html`<p class="loading" role="status">${t('app.loading')}</p>`;
}

/**
 * A list page's state before its table: the load error, "Loading…" while `items` is null, or `emptyKey`'s
 * text for an empty list. The caller shows the table when there are items.
 */
export function ListState({ items, error, emptyKey }) {
  const { t } = useApp();
  return html`<${ErrorBox} error=${error} />
    ${items === null && !error ? html`<${Loading} />` : null}
    ${items && items.length === 0 ? html`<p class="empty">${t(emptyKey)}</p>` : null}`;
}

/** The error the server named this field for, placed under the field; the input points at it with aria-describedby. */
export function FieldError({ error, field, id }) {
  const show = error instanceof ApiError && error.field === field;
  return html`<p class="field-error" id=${id} role=${show ? 'alert' : undefined} hidden=${!show}>${show ? error.message : ''}</p>`;
}

/** True when the error names one of these fields (so it is shown there, not in the form's box). */
export function isFieldError(error, fields) {
  return error instanceof ApiError && !!error.field && fields.includes(error.field);
}

/** Moves focus to the field an error names, so a keyboard user lands where the fix is. */
export function useFocusOnFieldError(error, formRef) {
  useEffect(() => {
    if (!(error instanceof ApiError) || !error.field || !formRef.current) return;
    const name = error.field.split('/').pop();
    const input = formRef.current.querySelector(`[name="${CSS.escape(name)}"]`);
    if (input) input.focus();
  }, [error]);
}

/** Sets the document title and moves focus to the page heading when a page opens (a route change). */
export function usePage(title) {
  const heading = useRef(/** @type {HTMLElement | null} */ (null));
  const { t } = useApp();
  useEffect(() => {
    document.title = `${title} · ${t('app.title')}`;
  }, [title]);
  useEffect(() => {
    // Not on the first page load: the browser starts at the top and a screen reader reads the page anyway.
    if (window.__consoleNavigated && heading.current) heading.current.focus();
    window.__consoleNavigated = true;
  }, []);
  return heading;
}

export function formatTime(lang, ms) {
  if (ms === null || ms === undefined) return '—';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(ms));
}

export function formatNumber(lang, n) {
  return new Intl.NumberFormat(lang).format(n);
}

/** hh:mm of minutes after local midnight. */
export function formatMinutes(m) {
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
