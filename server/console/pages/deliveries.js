// Delivery log: every Push Kit request the server made (or refused, or built in dry run), newest first, with
// filters in the address, older pages on demand, new entries live over server-sent events, and the last
// 24 hours per certificate as a small chart.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { ErrorBox, ListState, Loading, api, formatNumber, formatTime, html, useApp, usePage } from '../lib.js';
import { StatsChart } from './chart.js';

const RESULTS = { success: ['sent', 'partial'], failure: ['failed', 'retry', 'refused'], dryRun: ['dryRun'] };
const PAGE = 50;

/** The server filters the pages it sends; entries that arrive live are filtered here, the same way. */
export function matches(entry, filters) {
  if (filters.userId && entry.userId !== filters.userId) return false;
  if (filters.certificate && entry.certificate !== filters.certificate) return false;
  if (filters.result && !(RESULTS[filters.result] || []).includes(entry.outcome)) return false;
  return true;
}

function queryOf(filters, before) {
  const q = new URLSearchParams();
  if (filters.userId) q.set('userId', filters.userId);
  if (filters.certificate) q.set('certificate', filters.certificate);
  if (filters.result) q.set('result', filters.result);
  if (before) q.set('before', String(before));
  q.set('limit', String(PAGE));
  return q.toString();
}

export function Deliveries() {
  const { t, lang, meta } = useApp();
  const heading = usePage(t('log.title'));
  const location = useLocation();
  const filters = { userId: location.query.userId || '', certificate: location.query.certificate || '', result: location.query.result || '' };
  const filterKey = JSON.stringify(filters);
  const [entries, setEntries] = useState(/** @type {any[] | null} */ (null));
  const [nextBefore, setNextBefore] = useState(/** @type {number | null} */ (null));
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [live, setLive] = useState(/** @type {'connecting' | 'live' | 'reconnecting'} */ ('connecting'));
  const [certificates, setCertificates] = useState(/** @type {string[]} */ ([]));
  const [stats, setStats] = useState(/** @type {any} */ (null));
  const [statsError, setStatsError] = useState(/** @type {unknown} */ (null));
  const [fresh, setFresh] = useState(0);
  const [opened, setOpened] = useState(/** @type {number | null} */ (location.query.id ? Number(location.query.id) : null));
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  const loadStats = () => api('GET', '/deliveries/stats').then((s) => { setStats(s); setStatsError(null); }, setStatsError);

  useEffect(() => {
    api('GET', '/certificates').then((r) => setCertificates(r.certificates.map((c) => c.name)), () => { /* the filter stays free text */ });
    loadStats();
  }, []);

  useEffect(() => {
    let cancelled = false;
    setEntries(null);
    setError(null);
    api('GET', `/deliveries?${queryOf(filters)}`).then((r) => {
      if (cancelled) return;
      // Entries that arrived live while this page loaded are kept (by id, without doubles).
      setEntries((current) => merge(r.entries, current || []));
      setNextBefore(r.nextBefore);
    }, (e) => { if (!cancelled) setError(e); });
    return () => { cancelled = true; };
  }, [filterKey]);

  // Live entries: one stream per page visit; the filters are read when an entry arrives.
  useEffect(() => {
    const source = new EventSource('/api/v1/admin/deliveries/stream');
    let statsTimer = 0;
    source.onopen = () => setLive('live');
    source.addEventListener('delivery', (event) => {
      let entry;
      try { entry = JSON.parse(/** @type {MessageEvent} */ (event).data); } catch { return; }
      if (matches(entry, filtersRef.current)) {
        setEntries((current) => merge([entry], current || []));
        setFresh((n) => n + 1);
      }
      // The chart follows too, but at most once a second however many entries arrive.
      if (!statsTimer) statsTimer = window.setTimeout(() => { statsTimer = 0; loadStats(); }, 1000);
    });
    source.onerror = () => {
      setLive('reconnecting');
      // EventSource retries by itself, also after a 401. Any other request that gets a 401 sends the app back to
      // sign-in (lib.js), so ask for something small and stop retrying if the session is gone.
      api('GET', '/meta').catch((e) => { if (e && e.status === 401) source.close(); });
    };
    return () => { source.close(); clearTimeout(statsTimer); };
  }, []);

  async function more() {
    setLoadingMore(true);
    try {
      const r = await api('GET', `/deliveries?${queryOf(filters, nextBefore)}`);
      setEntries((current) => merge(current || [], r.entries));
      setNextBefore(r.nextBefore);
    } catch (e) {
      setError(e);
    } finally {
      setLoadingMore(false);
    }
  }

  function applyFilters(event) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const q = new URLSearchParams();
    for (const name of ['userId', 'certificate', 'result']) {
      const value = String(data.get(name) || '').trim();
      if (value) q.set(name, value);
    }
    const query = q.toString();
    location.route(`/console/deliveries${query ? `?${query}` : ''}`);
  }

  return html`<section>
    <h1 tabindex="-1" ref=${heading}>${t('log.title')}</h1>
    <p class="intro">${t('log.intro')}${meta ? ` ${t('log.retention', { days: meta.retentionDays })}` : ''}</p>
    <section class="panel" aria-labelledby="stats-title">
      <h2 id="stats-title">${t('log.statsTitle')}</h2>
      <${ErrorBox} error=${statsError} />
      ${stats ? html`<${StatsChart} stats=${stats} />` : (statsError ? null : html`<${Loading} />`)}
    </section>
    <form class="filters" key=${filterKey} onSubmit=${applyFilters} aria-label=${t('log.filters')}>
      <div class="field">
        <label for="log-user">${t('log.user')}</label>
        <input id="log-user" name="userId" maxlength="64" defaultValue=${filters.userId} autocomplete="off" />
      </div>
      <div class="field">
        <label for="log-cert">${t('log.certificate')}</label>
        <select id="log-cert" name="certificate" value=${filters.certificate}>
          <option value="">${t('log.anyCertificate')}</option>
          ${[...new Set([...certificates, ...(filters.certificate ? [filters.certificate] : [])])].map((c) => html`<option value=${c}>${c}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="log-result">${t('log.result')}</label>
        <select id="log-result" name="result" value=${filters.result}>
          <option value="">${t('log.anyResult')}</option>
          <option value="success">${t('log.success')}</option>
          <option value="failure">${t('log.failure')}</option>
          <option value="dryRun">${t('log.dryRunResult')}</option>
        </select>
      </div>
      <button type="submit">${t('log.apply')}</button>
      ${filters.userId || filters.certificate || filters.result ? html`<a class="button secondary" href="/console/deliveries">${t('log.clear')}</a>` : null}
    </form>
    <p class=${`live-state live-${live}`} role="status">${t(`log.live.${live}`)}</p>
    <div class="visually-hidden" aria-live="polite">${fresh ? t('log.newEntries', { count: fresh }) : ''}</div>
    <${ListState} items=${entries} error=${error} emptyKey="log.none" />
    ${entries && entries.length > 0 ? html`<table class="cards log">
      <caption class="visually-hidden">${t('log.tableCaption')}</caption>
      <thead><tr>
        <th scope="col">${t('log.time')}</th><th scope="col">${t('log.certificate')}</th><th scope="col">${t('log.user')}</th>
        <th scope="col">${t('log.type')}</th><th scope="col">${t('log.tokens')}</th><th scope="col">${t('log.result')}</th>
        <th scope="col">${t('log.answer')}</th><th scope="col">${t('log.details')}</th>
      </tr></thead>
      <tbody>${entries.map((e) => html`<${EntryRow} key=${e.id} e=${e} lang=${lang} open=${opened === e.id}
        onToggle=${() => setOpened(opened === e.id ? null : e.id)} />`)}</tbody>
    </table>` : null}
    ${nextBefore ? html`<button type="button" class="secondary" disabled=${loadingMore} onClick=${more}>
      ${loadingMore ? t('app.loading') : t('log.older')}</button>` : null}
  </section>`;
}

/** Newest first, one row per id. */
function merge(a, b) {
  const byId = new Map();
  for (const e of [...a, ...b]) if (!byId.has(e.id)) byId.set(e.id, e);
  return [...byId.values()].sort((x, y) => y.id - x.id);
}

function EntryRow({ e, lang, open, onToggle }) {
  const { t } = useApp();
  const userText = e.userId === null ? t('log.severalUsers', { count: e.users }) : e.userId;
  return html`<tr class=${`outcome-row-${e.outcome}`}>
    <th scope="row" data-label=${t('log.time')}><time datetime=${new Date(e.at).toISOString()}>${formatTime(lang, e.at)}</time></th>
    <td data-label=${t('log.certificate')}><code>${e.certificate}</code></td>
    <td data-label=${t('log.user')}>${userText}</td>
    <td data-label=${t('log.type')}>${t(e.pushType === 'voip' ? 'test.voip' : 'test.notification')}${e.category ? ` · ${e.category}` : ''}
      ${e.test ? html` <span class="badge">${t('log.test')}</span>` : null}</td>
    <td data-label=${t('log.tokens')}>${formatNumber(lang, e.tokens)}${e.invalidTokens ? html` <span class="badge badge-warn">${t('log.dropped', { count: e.invalidTokens })}</span>` : null}</td>
    <td data-label=${t('log.result')}><span class=${`pill outcome-${e.outcome}`}>${t(`outcome.${e.outcome}`)}</span>
      ${e.attempt > 1 ? html` <span class="meta">${t('log.attempt', { n: e.attempt })}</span>` : null}</td>
    <td data-label=${t('log.answer')}>
      ${e.status !== null ? html`<code>${e.status}${e.code ? ` ${e.code}` : ''}</code> ` : null}<span class="message">${e.message}</span>
      ${e.latencyMs !== null ? html` <span class="meta">${t('log.latency', { ms: e.latencyMs })}</span>` : null}
    </td>
    <td data-label=${t('log.details')}>
      <button type="button" class="secondary" aria-expanded=${open ? 'true' : 'false'} onClick=${onToggle}>${t('log.request', { id: e.id })}</button>
      ${open ? html`<${EntryDetails} id=${e.id} />` : null}
    </td>
  </tr>`;
}

function EntryDetails({ id }) {
  const { t } = useApp();
  const [entry, setEntry] = useState(/** @type {any} */ (null));
  const [error, setError] = useState(/** @type {unknown} */ (null));
  useEffect(() => { api('GET', `/deliveries/${id}`).then(setEntry, setError); }, [id]);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!entry) return html`<${Loading} />`;
  return html`<pre class="code" tabindex="0" aria-label=${t('log.requestBody', { id })}>${JSON.stringify(entry.request, null, 2)}</pre>`;
}

