// Push certificates: one per app (named by its Push Kit Client ID) with the service-account key that signs
// its requests. The key file is read here and sent once; the server answers only with its public facts.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, ErrorBox, FieldError, ListState, api, formatNumber, formatTime, html, isFieldError, useApp, useFocusOnFieldError, usePage } from '../lib.js';

/** The body's limit is 64 KiB; a real key file is about 2.5 KB, so anything near the limit is the wrong file. */
const MAX_KEY_FILE_BYTES = 32 * 1024;
const NAME_PATTERN = '[A-Za-z0-9_.\\-]{1,128}';
const ACTION_PATTERN = '[A-Za-z0-9_.:\\-]{1,128}';

export function Certificates() {
  const { t, lang } = useApp();
  const heading = usePage(t('certs.title'));
  const [list, setList] = useState(/** @type {any[] | null} */ (null));
  const [loadError, setLoadError] = useState(/** @type {unknown} */ (null));
  const [status, setStatus] = useState(/** @type {any} */ (null));
  const [editing, setEditing] = useState(/** @type {string | null} */ (null));

  const load = () => api('GET', '/certificates').then((r) => { setList(r.certificates); setLoadError(null); }, setLoadError);
  useEffect(() => { load(); }, []);

  /** After a change: the new list and a sentence (with the key's public facts when a key was saved). */
  const changed = (message, certificate) => {
    setStatus({ message, certificate });
    load();
  };

  return html`<section>
    <h1 tabindex="-1" ref=${heading}>${t('certs.title')}</h1>
    <p class="intro">${t('certs.intro')}</p>
    <div class="live" aria-live="polite" role="status">
      ${status ? html`<div class="success">
        <p>${status.message}</p>
        ${status.certificate && status.certificate.serviceAccount ? html`<${KeyFacts} sa=${status.certificate.serviceAccount} />` : null}
      </div>` : null}
    </div>
    <${ListState} items=${list} error=${loadError} emptyKey="certs.none" />
    ${list && list.length > 0 ? html`<table class="cards">
      <caption class="visually-hidden">${t('certs.tableCaption')}</caption>
      <thead><tr>
        <th scope="col">${t('certs.name')}</th><th scope="col">${t('certs.state')}</th><th scope="col">${t('certs.category')}</th>
        <th scope="col">${t('certs.action')}</th><th scope="col">${t('certs.options')}</th><th scope="col">${t('certs.serviceAccount')}</th>
        <th scope="col">${t('certs.devices')}</th><th scope="col">${t('certs.updated')}</th><th scope="col">${t('certs.actions')}</th>
      </tr></thead>
      <tbody>
        ${list.map((c) => html`<${CertificateRow} key=${c.name} c=${c} lang=${lang} editing=${editing === c.name}
          onEdit=${() => setEditing(editing === c.name ? null : c.name)} onChanged=${(m, cert) => { setEditing(null); changed(m, cert); }} />`)}
      </tbody>
    </table>` : null}
    <${AddCertificate} onAdded=${(cert) => changed(t('certs.added', { name: cert.name }), cert)} />
  </section>`;
}

function KeyFacts({ sa }) {
  const { t } = useApp();
  return html`<dl class="facts">
    <dt>${t('certs.projectId')}</dt><dd>${sa.projectId}</dd>
    <dt>${t('certs.keyId')}</dt><dd><code>${sa.keyId}</code></dd>
    <dt>${t('certs.subAccount')}</dt><dd><code>${sa.subAccount}</code></dd>
    <dt>${t('certs.fingerprint')}</dt><dd><code class="wrap">${sa.fingerprint}</code></dd>
  </dl>`;
}

function CertificateRow({ c, lang, editing, onEdit, onChanged }) {
  const { t } = useApp();
  const [busy, setBusy] = useState('');
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [confirming, setConfirming] = useState(false);
  const readOnly = c.source === 'environment';

  async function run(kind, request, message) {
    setBusy(kind);
    setError(null);
    try {
      const cert = await request();
      onChanged(message, kind === 'delete' ? null : cert);
    } catch (e) {
      setError(e);
    } finally {
      setBusy('');
      setConfirming(false);
    }
  }
  const path = `/certificates/${encodeURIComponent(c.name)}`;
  const toggle = () => run('toggle', () => api('PUT', path, { enabled: !c.enabled }),
    t(c.enabled ? 'certs.disabledDone' : 'certs.enabledDone', { name: c.name }));
  const remove = () => run('delete', () => api('DELETE', path), t('certs.deleted', { name: c.name }));

  return html`<tr class=${c.enabled ? '' : 'muted'}>
    <th scope="row" data-label=${t('certs.name')}>
      <code>${c.name}</code>
      <span class=${`badge ${readOnly ? 'badge-env' : ''}`}>${t(readOnly ? 'certs.sourceEnvironment' : 'certs.sourceConsole')}</span>
    </th>
    <td data-label=${t('certs.state')}><span class=${`pill ${c.enabled ? 'pill-ok' : 'pill-off'}`}>${t(c.enabled ? 'certs.enabled' : 'certs.disabled')}</span></td>
    <td data-label=${t('certs.category')}>${c.category}</td>
    <td data-label=${t('certs.action')}><code>${c.action}</code></td>
    <td data-label=${t('certs.options')}>
      <ul class="flags">
        <li>${t(c.voip ? 'certs.voipOn' : 'certs.voipOff')}</li>
        <li>${t(c.testMessage ? 'certs.testOn' : 'certs.testOff')}</li>
      </ul>
    </td>
    <td class="sa" data-label=${t('certs.serviceAccount')}>
      ${c.serviceAccount ? html`<${KeyFacts} sa=${c.serviceAccount} />` : html`<span class="pill pill-warn">${t('certs.dryRunCert')}</span>`}
    </td>
    <td data-label=${t('certs.devices')}>${formatNumber(lang, c.devices)}</td>
    <td data-label=${t('certs.updated')}>${formatTime(lang, c.updatedAt ?? c.createdAt)}</td>
    <td data-label=${t('certs.actions')}>
      ${readOnly ? html`<p class="hint">${t('certs.readOnly')}</p>` : html`<div class="actions">
        <button type="button" class="secondary" aria-expanded=${editing ? 'true' : 'false'} onClick=${onEdit}>${t('certs.edit', { name: c.name })}</button>
        <button type="button" class="secondary" disabled=${!!busy} onClick=${toggle}>
          ${busy === 'toggle' ? t('app.saving') : t(c.enabled ? 'certs.disable' : 'certs.enable', { name: c.name })}</button>
        ${confirming ? html`<span class="confirm" role="group" aria-label=${t('certs.confirmDelete', { name: c.name })}>
            <span>${t('certs.confirmDelete', { name: c.name })}</span>
            <button type="button" class="danger" disabled=${!!busy} onClick=${remove}>${busy === 'delete' ? t('app.deleting') : t('certs.deleteYes')}</button>
            <button type="button" class="secondary" onClick=${() => setConfirming(false)}>${t('app.cancel')}</button>
          </span>`
          : html`<button type="button" class="danger" onClick=${() => setConfirming(true)}>${t('certs.delete', { name: c.name })}</button>`}
      </div>`}
      <${ErrorBox} error=${error} />
    </td>
  </tr>
  ${editing && !readOnly ? html`<tr class="edit-row"><td colspan="9">
    <${EditCertificate} c=${c} onSaved=${(cert) => onChanged(t('certs.saved', { name: c.name }), cert)} />
  </td></tr>` : null}`;
}

/** Reads the chosen key file as text (it never leaves the browser any other way than in the request body). */
function useKeyFile() {
  const [file, setFile] = useState(/** @type {{ name: string, text: string } | null} */ (null));
  const [problem, setProblem] = useState('');
  const { t } = useApp();
  async function onChange(event) {
    const chosen = event.currentTarget.files && event.currentTarget.files[0];
    setProblem('');
    setFile(null);
    if (!chosen) return;
    if (chosen.size > MAX_KEY_FILE_BYTES) { setProblem(t('certs.fileTooLarge', { name: chosen.name })); return; }
    try {
      setFile({ name: chosen.name, text: await chosen.text() });
    } catch {
      setProblem(t('certs.fileUnreadable', { name: chosen.name }));
    }
  }
  return { file, problem, onChange, clear: () => { setFile(null); setProblem(''); } };
}

function CategoryField({ id, value, onChange, error }) {
  const { t, meta } = useApp();
  const categories = meta ? meta.categories : [value];
  const invalid = isFieldError(error, ['body/category']);
  return html`<div class="field">
    <label for=${id}>${t('certs.category')}</label>
    <select id=${id} name="category" value=${value} onChange=${(e) => onChange(e.currentTarget.value)}
      aria-describedby=${`${id}-about ${id}-error`} aria-invalid=${invalid ? 'true' : undefined}>
      ${categories.map((c) => html`<option value=${c}>${c}</option>`)}
    </select>
    <p class="hint" id=${`${id}-about`}>${t(`category.${value}`)}</p>
    <${FieldError} error=${error} field="body/category" id=${`${id}-error`} />
    <p class="note">${t('certs.categoryRight')}</p>
    <details>
      <summary>${t('certs.categoryList')}</summary>
      <dl class="categories">
        ${categories.map((c) => html`<dt>${c}</dt><dd>${t(`category.${c}`)}</dd>`)}
      </dl>
    </details>
  </div>`;
}

/** The checkboxes and click action both forms share. */
function OptionFields({ prefix, defaults, error }) {
  const { t, meta } = useApp();
  const invalid = isFieldError(error, ['body/action']);
  return html`
    <div class="field">
      <label for=${`${prefix}-action`}>${t('certs.action')}</label>
      <input id=${`${prefix}-action`} name="action" required pattern=${ACTION_PATTERN} maxlength="128" spellcheck="false"
        defaultValue=${defaults.action ?? (meta ? meta.defaultAction : 'action.pushuikit.chat')}
        aria-describedby=${`${prefix}-action-help ${prefix}-action-error`} aria-invalid=${invalid ? 'true' : undefined} />
      <p class="hint" id=${`${prefix}-action-help`}>${t('certs.actionHelp')}</p>
      <${FieldError} error=${error} field="body/action" id=${`${prefix}-action-error`} />
    </div>
    <div class="field check">
      <input type="checkbox" id=${`${prefix}-voip`} name="voip" defaultChecked=${!!defaults.voip} aria-describedby=${`${prefix}-voip-help`} />
      <label for=${`${prefix}-voip`}>${t('certs.voip')}</label>
      <p class="hint" id=${`${prefix}-voip-help`}>${t('certs.voipHelp')}</p>
    </div>
    <div class="field check">
      <input type="checkbox" id=${`${prefix}-test`} name="testMessage" defaultChecked=${!!defaults.testMessage} aria-describedby=${`${prefix}-test-help`} />
      <label for=${`${prefix}-test`}>${t('certs.testMessage')}</label>
      <p class="hint" id=${`${prefix}-test-help`}>${t('certs.testMessageHelp', { tokens: meta ? meta.maxTestTokens : 10 })}</p>
    </div>`;
}

function KeyFileField({ id, keyFile, error, required }) {
  const { t } = useApp();
  const invalid = isFieldError(error, ['body/serviceAccount']) || !!keyFile.problem;
  return html`<div class="field">
    <label for=${id}>${t(required ? 'certs.keyFile' : 'certs.replaceKeyFile')}</label>
    <input id=${id} type="file" name="serviceAccount" accept=".json,application/json" required=${required} onChange=${keyFile.onChange}
      aria-describedby=${`${id}-help ${id}-chosen ${id}-error`} aria-invalid=${invalid ? 'true' : undefined} />
    <p class="hint" id=${`${id}-help`}>${t('certs.keyFileHelp')}</p>
    <p class="chosen" id=${`${id}-chosen`} aria-live="polite">${keyFile.file ? t('certs.fileChosen', { name: keyFile.file.name }) : ''}</p>
    ${keyFile.problem ? html`<p class="field-error" role="alert">${keyFile.problem}</p>` : null}
    <${FieldError} error=${error} field="body/serviceAccount" id=${`${id}-error`} />
  </div>`;
}

function AddCertificate({ onAdded }) {
  const { t, meta } = useApp();
  const [category, setCategory] = useState(meta ? meta.defaultCategory : 'IM');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const [round, setRound] = useState(0);
  const keyFile = useKeyFile();
  const form = useRef(/** @type {HTMLFormElement | null} */ (null));
  useFocusOnFieldError(error, form);
  useEffect(() => { if (meta) setCategory(meta.defaultCategory); }, [meta && meta.defaultCategory]);

  async function submit(event) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    if (!keyFile.file) {
      setError(new ApiError(400, keyFile.problem || t('certs.fileMissing'), 'body/serviceAccount'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const cert = await api('POST', '/certificates', {
        name: String(data.get('name') || '').trim(),
        serviceAccount: keyFile.file.text,
        category,
        action: String(data.get('action') || '').trim(),
        voip: data.get('voip') === 'on',
        testMessage: data.get('testMessage') === 'on',
        enabled: data.get('enabled') === 'on',
      });
      keyFile.clear();
      setCategory(meta ? meta.defaultCategory : 'IM');
      setRound(round + 1); // a fresh form (empties the file input, which cannot be set from script)
      onAdded(cert);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const nameInvalid = isFieldError(error, ['body/name']);
  return html`<section class="panel" aria-labelledby="add-cert-title">
    <h2 id="add-cert-title">${t('certs.addTitle')}</h2>
    ${meta && meta.keyStorage === false ? html`<p class="notice">${t('certs.noKeyStorage')}</p>` : null}
    <form key=${`${round}-${meta ? 'meta' : ''}`} ref=${form} onSubmit=${submit} novalidate>
      <div class="field">
        <label for="cert-name">${t('certs.nameLabel')}</label>
        <input id="cert-name" name="name" required pattern=${NAME_PATTERN} maxlength="128" spellcheck="false" autocomplete="off"
          aria-describedby="cert-name-help cert-name-error" aria-invalid=${nameInvalid ? 'true' : undefined} />
        <p class="hint" id="cert-name-help">${t('certs.nameHelp')}</p>
        <${FieldError} error=${error} field="body/name" id="cert-name-error" />
      </div>
      <${KeyFileField} id="cert-key" keyFile=${keyFile} error=${error} required=${true} />
      <${CategoryField} id="cert-category" value=${category} onChange=${setCategory} error=${error} />
      <${OptionFields} prefix="cert" defaults=${{}} error=${error} />
      <div class="field check">
        <input type="checkbox" id="cert-enabled" name="enabled" defaultChecked />
        <label for="cert-enabled">${t('certs.enabledLabel')}</label>
      </div>
      <${ErrorBox} error=${isFieldError(error, ['body/name', 'body/serviceAccount', 'body/category', 'body/action']) ? null : error} />
      <button type="submit" disabled=${busy}>${busy ? t('app.saving') : t('certs.add')}</button>
    </form>
  </section>`;
}

function EditCertificate({ c, onSaved }) {
  const { t } = useApp();
  const [category, setCategory] = useState(c.category);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const keyFile = useKeyFile();
  const form = useRef(/** @type {HTMLFormElement | null} */ (null));
  useFocusOnFieldError(error, form);
  const prefix = `edit-${c.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;

  async function submit(event) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    // Only what changed: the API takes any subset, and an unchanged key is not re-sent.
    /** @type {Record<string, unknown>} */
    const patch = {};
    const action = String(data.get('action') || '').trim();
    if (category !== c.category) patch.category = category;
    if (action !== c.action) patch.action = action;
    if ((data.get('voip') === 'on') !== c.voip) patch.voip = data.get('voip') === 'on';
    if ((data.get('testMessage') === 'on') !== c.testMessage) patch.testMessage = data.get('testMessage') === 'on';
    if (keyFile.file) patch.serviceAccount = keyFile.file.text;
    if (Object.keys(patch).length === 0) { setError(new ApiError(400, t('certs.nothingChanged'))); return; }
    setBusy(true);
    setError(null);
    try {
      onSaved(await api('PUT', `/certificates/${encodeURIComponent(c.name)}`, patch));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return html`<form class="edit" ref=${form} onSubmit=${submit} novalidate aria-label=${t('certs.editTitle', { name: c.name })}>
    <${CategoryField} id=${`${prefix}-category`} value=${category} onChange=${setCategory} error=${error} />
    <${OptionFields} prefix=${prefix} defaults=${c} error=${error} />
    <${KeyFileField} id=${`${prefix}-key`} keyFile=${keyFile} error=${error} required=${false} />
    <${ErrorBox} error=${isFieldError(error, ['body/serviceAccount', 'body/category', 'body/action']) ? null : error} />
    <button type="submit" disabled=${busy}>${busy ? t('app.saving') : t('certs.save')}</button>
  </form>`;
}

