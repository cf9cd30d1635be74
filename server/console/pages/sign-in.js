// Sign-in for administrators (created with the admin command on the server; chat users cannot sign in here).
import { useRef, useState } from 'preact/hooks';
import { ApiError, ErrorBox, FieldError, api, html, isFieldError, useApp, useFocusOnFieldError, usePage } from '../lib.js';

const FIELDS = ['body/name', 'body/password'];

export function SignIn({ expired }) {
  const { t, signedIn } = useApp();
  const heading = usePage(t('signIn.title'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {unknown} */ (null));
  const form = useRef(/** @type {HTMLFormElement | null} */ (null));
  useFocusOnFieldError(error, form);

  async function submit(event) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const session = await api('POST', '/session', { name: String(data.get('name') || ''), password: String(data.get('password') || '') });
      signedIn(session);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  const fieldProps = (field, id) => isFieldError(error, [field]) ? { 'aria-invalid': 'true', 'aria-describedby': id } : {};
  return html`<section class="narrow">
    <h1 tabindex="-1" ref=${heading}>${t('signIn.title')}</h1>
    <p>${t('signIn.intro')}</p>
    ${expired ? html`<p class="notice" role="status">${t('signIn.expired')}</p>` : null}
    <form ref=${form} onSubmit=${submit} novalidate>
      <div class="field">
        <label for="signin-name">${t('signIn.name')}</label>
        <input id="signin-name" name="name" autocomplete="username" required maxlength="64" ...${fieldProps('body/name', 'signin-name-error')} />
        <${FieldError} error=${error} field="body/name" id="signin-name-error" />
      </div>
      <div class="field">
        <label for="signin-password">${t('signIn.password')}</label>
        <input id="signin-password" name="password" type="password" autocomplete="current-password" required ...${fieldProps('body/password', 'signin-password-error')} />
        <${FieldError} error=${error} field="body/password" id="signin-password-error" />
      </div>
      <${ErrorBox} error=${isFieldError(error, FIELDS) ? null : (error instanceof ApiError && error.status === 401 ? new ApiError(401, t('signIn.wrong')) : error)} />
      <button type="submit" disabled=${busy}>${busy ? t('signIn.busy') : t('signIn.submit')}</button>
    </form>
  </section>`;
}
