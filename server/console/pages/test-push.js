// Test push: send a notification or VoIP push to a user's devices (or one device) and show the exact
// Push Kit v3 request the server built (tokens redacted by the server) and Push Kit's answer.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorBox, FieldError, api, html, isFieldError, useApp, useFocusOnFieldError, usePage } from '../lib.js';

const FIELDS = ['body/userId', 'body/deviceId', 'body/pushType', 'body/title', 'body/body'];

export function TestPush() {
  const { t } = useApp();
  const heading = usePage(t('test.title'));
  const [userId, setUserId] = useState('');
  const [user, setUser] = useState(/** @type {any} */ (null));
  const [userError, setUserError] = useState(/** @type {unknown} */ (null));
  const [suggestions, setSuggestions] = useState(/** @type {any[]} */ ([]));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [results, setResults] = useState(/** @type {any[] | null} */ (null));
  const form = useRef(/** @type {HTMLFormElement | null} */ (null));
  useFocusOnFieldError(error, form);

  // Suggestions while typing (a datalist), a moment after the last key so each key is not a request.
  useEffect(() => {
    const term = userId.trim();
    if (!term) { setSuggestions([]); return; }
    const timer = setTimeout(() => {
      api('GET', `/users?q=${encodeURIComponent(term)}&limit=10`).then((r) => setSuggestions(r.users), () => setSuggestions([]));
    }, 250);
    return () => clearTimeout(timer);
  }, [userId]);

  async function loadUser() {
    const id = userId.trim();
    setUser(null);
    setUserError(null);
    if (!id) return;
    try {
      setUser(await api('GET', `/users/${encodeURIComponent(id)}`));
    } catch (e) {
      setUserError(e);
    }
  }

  async function submit(event) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    /** @type {Record<string, unknown>} */
    const body = {
      userId: String(data.get('userId') || '').trim(),
      pushType: String(data.get('pushType') || 'notification'),
      title: String(data.get('title') || ''),
      body: String(data.get('body') || ''),
    };
    const deviceId = String(data.get('deviceId') || '');
    if (deviceId) body.deviceId = deviceId;
    setBusy(true);
    setError(null);
    setResults(null);
    try {
      setResults((await api('POST', '/test-push', body)).results);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const invalid = (field) => isFieldError(error, [field]) ? 'true' : undefined;
  return html`<section>
    <h1 tabindex="-1" ref=${heading}>${t('test.title')}</h1>
    <p class="intro">${t('test.intro')}</p>
    <form class="panel" ref=${form} onSubmit=${submit} novalidate>
      <div class="field">
        <label for="test-user">${t('test.user')}</label>
        <input id="test-user" name="userId" required maxlength="64" autocomplete="off" list="test-user-suggestions" value=${userId}
          onInput=${(e) => setUserId(e.currentTarget.value)} onChange=${loadUser}
          aria-describedby="test-user-help test-user-error" aria-invalid=${invalid('body/userId') || (userError ? 'true' : undefined)} />
        <datalist id="test-user-suggestions">
          ${suggestions.map((u) => html`<option value=${u.userId}>${u.displayName}</option>`)}
        </datalist>
        <p class="hint" id="test-user-help">${t('test.userHelp')}</p>
        <${FieldError} error=${error} field="body/userId" id="test-user-error" />
        <${ErrorBox} error=${userError} />
      </div>
      <div class="field">
        <label for="test-device">${t('test.device')}</label>
        <select id="test-device" name="deviceId" disabled=${!user} aria-describedby="test-device-error" aria-invalid=${invalid('body/deviceId')}>
          <option value="">${user ? t('test.allDevices', { count: user.devices.length }) : t('test.pickUserFirst')}</option>
          ${user ? user.devices.map((d) => html`<option value=${d.deviceId}>${d.deviceId} (${d.clientId})</option>`) : null}
        </select>
        <${FieldError} error=${error} field="body/deviceId" id="test-device-error" />
      </div>
      <fieldset class="field">
        <legend>${t('test.pushType')}</legend>
        <label class="radio"><input type="radio" name="pushType" value="notification" defaultChecked /> ${t('test.notification')}</label>
        <label class="radio"><input type="radio" name="pushType" value="voip" /> ${t('test.voip')}</label>
        <${FieldError} error=${error} field="body/pushType" id="test-type-error" />
      </fieldset>
      <div class="field">
        <label for="test-title">${t('test.titleLabel')}</label>
        <input id="test-title" name="title" required maxlength="100" defaultValue=${t('test.defaultTitle')}
          aria-describedby="test-title-error" aria-invalid=${invalid('body/title')} />
        <${FieldError} error=${error} field="body/title" id="test-title-error" />
      </div>
      <div class="field">
        <label for="test-body">${t('test.bodyLabel')}</label>
        <textarea id="test-body" name="body" required maxlength="1000" rows="3"
          defaultValue=${t('test.defaultBody')} aria-describedby="test-body-error" aria-invalid=${invalid('body/body')}></textarea>
        <${FieldError} error=${error} field="body/body" id="test-body-error" />
      </div>
      <${ErrorBox} error=${isFieldError(error, FIELDS) ? null : error} />
      <button type="submit" disabled=${busy}>${busy ? t('test.sending') : t('test.send')}</button>
    </form>
    <div class="live" aria-live="polite">
      ${results ? html`<h2>${t('test.results')}</h2>
        ${results.length === 0 ? html`<p class="empty">${t('test.noResults')}</p>` : null}
        ${results.map((r) => html`<${Result} r=${r} />`)}` : null}
    </div>
  </section>`;
}

function Result({ r }) {
  const { t } = useApp();
  const outcome = r.refused ? 'refused' : r.dryRun ? 'dryRun' : (r.outcome || 'failed');
  return html`<article class=${`result result-${outcome}`} aria-label=${t('test.resultFor', { name: r.certificate })}>
    <h3><code>${r.certificate}</code> <span class=${`pill outcome-${outcome}`}>${t(`outcome.${outcome}`)}</span></h3>
    <p>${t('test.target', { devices: r.deviceIds.join(', '), tokens: r.tokens })}</p>
    ${r.refused ? html`<p class="error" role="alert"><strong>${t('test.refused')}</strong> ${r.refused}</p>` : null}
    ${r.request ? html`<h4>${t('test.request')}</h4>
      <pre class="code" tabindex="0" aria-label=${t('test.request')}>${requestText(r.request)}</pre>` : null}
    ${r.refused ? null : html`<h4>${t('test.response')}</h4>
      ${r.dryRun ? html`<p class="notice">${t('test.dryRun')}</p>` : r.response
        ? html`<dl class="facts">
            <dt>${t('test.status')}</dt><dd><code>${r.response.status}</code></dd>
            <dt>${t('test.code')}</dt><dd><code>${r.response.code}</code></dd>
            <dt>${t('test.message')}</dt><dd>${r.response.msg}</dd>
          </dl>`
        : html`<p>${t('test.noResponse')}</p>`}
      ${r.reason ? html`<p>${t('test.reason', { reason: r.reason })}</p>` : null}`}
    ${typeof r.deliveryId === 'number' ? html`<p><a href=${`/console/deliveries?id=${r.deliveryId}`}>${t('test.inLog', { id: r.deliveryId })}</a></p>` : null}
  </article>`;
}

/** The request as an HTTP message: method and URL, the headers, the JSON body (its tokens already "<redacted>"). */
function requestText(request) {
  const headers = Object.entries(request.headers || {}).map(([k, v]) => `${k}: ${v}`).join('\n');
  return `${request.method} ${request.url}\n${headers}\n\n${JSON.stringify(request.body, null, 2)}`;
}
