// Devices: find a chat user, see their devices and push settings, unbind a device (its token stops receiving pushes).
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { ErrorBox, Loading, api, formatMinutes, formatNumber, formatTime, html, useApp, usePage } from '../lib.js';

export function Devices() {
  const { t } = useApp();
  const heading = usePage(t('devices.title'));
  const location = useLocation();
  const selected = location.query.user || '';
  const [q, setQ] = useState(location.query.q || '');
  const [found, setFound] = useState(/** @type {any[] | null} */ (null));
  const [searching, setSearching] = useState(false);
  const [error, setError] = useState(/** @type {unknown} */ (null));

  async function search(term) {
    if (!term) { setFound(null); return; }
    setSearching(true);
    setError(null);
    try {
      setFound((await api('GET', `/users?q=${encodeURIComponent(term)}&limit=20`)).users);
    } catch (e) {
      setError(e);
    } finally {
      setSearching(false);
    }
  }
  useEffect(() => { if (location.query.q) search(location.query.q); }, []);

  function submit(event) {
    event.preventDefault();
    const term = String(new FormData(event.currentTarget).get('q') || '').trim();
    // The search is in the address, so Back and a reload keep it.
    location.route(`/console/devices?q=${encodeURIComponent(term)}${selected ? `&user=${encodeURIComponent(selected)}` : ''}`, true);
    search(term);
  }

  const open = (userId) => location.route(`/console/devices?${q ? `q=${encodeURIComponent(q)}&` : ''}user=${encodeURIComponent(userId)}`);

  return html`<section>
    <h1 tabindex="-1" ref=${heading}>${t('devices.title')}</h1>
    <p class="intro">${t('devices.intro')}</p>
    <form class="inline" role="search" onSubmit=${submit}>
      <div class="field">
        <label for="user-q">${t('devices.search')}</label>
        <input id="user-q" name="q" type="search" required minlength="1" maxlength="64" value=${q}
          onInput=${(e) => setQ(e.currentTarget.value)} aria-describedby="user-q-help" autocomplete="off" />
        <p class="hint" id="user-q-help">${t('devices.searchHelp')}</p>
      </div>
      <button type="submit" disabled=${searching}>${searching ? t('devices.searching') : t('devices.find')}</button>
    </form>
    <${ErrorBox} error=${error} />
    <div class="live" aria-live="polite">
      ${found && found.length === 0 ? html`<p class="empty">${t('devices.noUsers')}</p>` : null}
      ${found && found.length > 0 ? html`<p class="visually-hidden">${t('devices.found', { count: found.length })}</p>` : null}
    </div>
    ${found && found.length > 0 ? html`<ul class="user-list" aria-label=${t('devices.results')}>
      ${found.map((u) => html`<li>
        <button type="button" class=${`user ${u.userId === selected ? 'current' : ''}`} aria-pressed=${u.userId === selected ? 'true' : 'false'} onClick=${() => open(u.userId)}>
          <span class="user-name">${u.displayName}</span> <code>${u.userId}</code>
          <span class="meta">${t('devices.deviceCount', { count: u.devices })} · ${t(u.online ? 'devices.online' : 'devices.offline')}</span>
        </button>
      </li>`)}
    </ul>` : null}
    ${selected ? html`<${UserDetails} key=${selected} userId=${selected} />` : null}
  </section>`;
}

function UserDetails({ userId }) {
  const { t, lang } = useApp();
  const [user, setUser] = useState(/** @type {any} */ (null));
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [status, setStatus] = useState('');

  const load = () => api('GET', `/users/${encodeURIComponent(userId)}`).then((u) => { setUser(u); setError(null); }, setError);
  useEffect(() => { load(); }, [userId]);

  if (error && !user) return html`<${ErrorBox} error=${error} />`;
  if (!user) return html`<${Loading} />`;
  return html`<section class="panel" aria-labelledby="user-title">
    <h2 id="user-title">${user.displayName} <code>${user.userId}</code></h2>
    <dl class="facts grid">
      <dt>${t('devices.presence')}</dt><dd>${t(user.online ? 'devices.online' : 'devices.offline')}</dd>
      <dt>${t('devices.unread')}</dt><dd>${formatNumber(lang, user.unread)}</dd>
      <dt>${t('devices.missedCalls')}</dt><dd>${formatNumber(lang, user.unseenMissedCalls)}</dd>
      <dt>${t('devices.policy')}</dt><dd>${t(`devices.policy.${user.multiDevicePolicy}`)}</dd>
      <dt>${t('devices.dnd')}</dt><dd>${user.dnd.on
        ? t('devices.dndOn', { start: formatMinutes(user.dnd.start), end: formatMinutes(user.dnd.end), zone: user.dnd.timeZone })
        : t('devices.dndOff')}</dd>
      <dt>${t('devices.preview')}</dt><dd>${t(user.preview ? 'devices.previewOn' : 'devices.previewOff')}</dd>
      <dt>${t('devices.created')}</dt><dd>${formatTime(lang, user.createdAt)}</dd>
    </dl>
    <div class="live" aria-live="polite" role="status">${status ? html`<p class="success">${status}</p>` : null}</div>
    <${ErrorBox} error=${error} />
    <h3>${t('devices.devicesTitle')}</h3>
    ${user.devices.length === 0 ? html`<p class="empty">${t('devices.noDevices')}</p>` : html`<table class="cards">
      <caption class="visually-hidden">${t('devices.devicesOf', { name: user.displayName })}</caption>
      <thead><tr>
        <th scope="col">${t('devices.deviceId')}</th><th scope="col">${t('devices.clientId')}</th><th scope="col">${t('devices.certificate')}</th>
        <th scope="col">${t('devices.token')}</th><th scope="col">${t('devices.boundAt')}</th><th scope="col">${t('devices.lastOnline')}</th>
        <th scope="col">${t('devices.presence')}</th><th scope="col">${t('certs.actions')}</th>
      </tr></thead>
      <tbody>${user.devices.map((d) => html`<${DeviceRow} key=${d.deviceId} userId=${user.userId} d=${d}
        onUnbound=${() => { setStatus(t('devices.unbound', { device: d.deviceId })); load(); }} />`)}</tbody>
    </table>`}
  </section>`;
}

function DeviceRow({ userId, d, onUnbound }) {
  const { t, lang } = useApp();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {unknown} */ (null));

  async function unbind() {
    setBusy(true);
    setError(null);
    try {
      await api('DELETE', `/users/${encodeURIComponent(userId)}/devices/${encodeURIComponent(d.deviceId)}`);
      onUnbound();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return html`<tr>
    <th scope="row" data-label=${t('devices.deviceId')}><code>${d.deviceId}</code></th>
    <td data-label=${t('devices.clientId')}><code>${d.clientId}</code></td>
    <td data-label=${t('devices.certificate')}>${d.certificate
      ? html`<code>${d.certificate.name}</code> <span class=${`pill ${d.certificate.enabled ? 'pill-ok' : 'pill-off'}`}>${t(d.certificate.enabled ? 'certs.enabled' : 'certs.disabled')}</span>`
      : html`<span class="pill pill-warn">${t('devices.noCertificate')}</span>`}</td>
    <td data-label=${t('devices.token')}><code>${t('devices.tokenPrefix', { prefix: d.tokenPrefix })}</code></td>
    <td data-label=${t('devices.boundAt')}>${formatTime(lang, d.boundAt)}</td>
    <td data-label=${t('devices.lastOnline')}>${d.lastOnlineAt === null ? t('devices.never') : formatTime(lang, d.lastOnlineAt)}</td>
    <td data-label=${t('devices.presence')}>${t(d.online ? 'devices.online' : 'devices.offline')}</td>
    <td data-label=${t('certs.actions')}>
      ${confirming ? html`<span class="confirm" role="group" aria-label=${t('devices.confirmUnbind', { device: d.deviceId })}>
          <span>${t('devices.confirmUnbind', { device: d.deviceId })}</span>
          <button type="button" class="danger" disabled=${busy} onClick=${unbind}>${busy ? t('devices.unbinding') : t('devices.unbindYes')}</button>
          <button type="button" class="secondary" onClick=${() => setConfirming(false)}>${t('app.cancel')}</button>
        </span>`
        : html`<button type="button" class="danger" onClick=${() => setConfirming(true)}>${t('devices.unbind', { device: d.deviceId })}</button>`}
      <${ErrorBox} error=${error} />
    </td>
  </tr>`;
}
