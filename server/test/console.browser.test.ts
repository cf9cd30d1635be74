// The push console in a real browser (headless Chromium from @sparticuz/chromium, driven by playwright-core)
// against the real server and the fake Push Kit: sign-in, a certificate from an uploaded key file, a test push
// with its redacted request and Push Kit's answer, the delivery log updating live, a disabled certificate
// refusing, devices and unbinding, an expired session, both languages, phone width and dark mode.
// Screenshots of each page go to test/output/ (git-ignored).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import pw from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import chromium from '@sparticuz/chromium';
import { CLIENT_ID, TEST_KEYS, startRig } from './helpers.js';
import type { Rig } from './helpers.js';
import { KEY_ID, PROJECT_ID, SUB_ACCOUNT } from './fake-pushkit.js';
import { importMapOf } from '../src/console.js';

const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));
const OUTPUT = path.join(SERVER_DIR, 'test', 'output');
const ADMIN = 'root';
const ADMIN_PASSWORD = 'console-admin-password-1';
/** The certificate the test adds in the console; the device binds with this Client ID. */
const CERT = '555000111';
const USER = 'carol';
const DEVICE = 'carol-phone';
const PUSH_TOKEN = `IQAAAACy0kYYAAC${'x'.repeat(40)}carol-token-secret`;
const WIDE = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let rig: Rig;
let base: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let tmp: string;
/** Script errors and CSP refusals seen in any page: the test fails on any. */
const problems: string[] = [];

/** Runs the documented command (`node --import tsx src/admin-cli.ts create <name>`, password on stdin). */
async function createAdmin(dataDir: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/admin-cli.ts', 'create', ADMIN], {
    cwd: SERVER_DIR, env: { ...process.env, DATA_DIR: dataDir }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  // Not a terminal: the command takes the first line of stdin as the password.
  child.stdin.end(`${ADMIN_PASSWORD}\n`);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, `admin-cli create failed: ${output}`);
}

async function chatApi(method: string, url: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${base}/api/v1${url}`, {
    method, body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
}

/** A screenshot in test/output/: the whole page, or (`fullPage` false) what the window shows. */
async function shot(p: Page, name: string, fullPage = true): Promise<void> {
  await p.screenshot({ path: path.join(OUTPUT, `${name}.png`), fullPage });
}

function watch(p: Page): Page {
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  p.on('console', (m) => {
    // The API's 4xx answers are part of the flows (wrong password, a bad key file, a session that ended);
    // a refused script or style (CSP), or any other error, is not.
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) {
      problems.push(`console: ${m.text()}`);
    }
  });
  return p;
}

/** A link of the console's navigation (page text has links with the same words, e.g. "Entry 1 in the delivery log"). */
function nav(p: Page, name: string) {
  return p.getByRole('navigation').getByRole('link', { name, exact: true });
}

async function signIn(p: Page): Promise<void> {
  await p.getByLabel('Administrator name').fill(ADMIN);
  await p.getByLabel('Password').fill(ADMIN_PASSWORD);
  await p.getByRole('button', { name: 'Sign in' }).click();
}

async function sendTestPush(p: Page, pushType: 'Notification' | 'VoIP call' = 'Notification'): Promise<void> {
  await nav(p, 'Test push').click();
  await p.getByRole('heading', { name: 'Test push', level: 1 }).waitFor();
  await p.getByLabel('User ID', { exact: true }).fill(USER);
  await p.getByLabel('User ID', { exact: true }).press('Tab');
  await p.getByLabel('Device', { exact: true }).selectOption(DEVICE);
  await p.getByLabel(pushType, { exact: true }).check();
  await p.getByLabel('Title', { exact: true }).fill('Hello from the console');
  await p.getByRole('button', { name: 'Send test push' }).click();
}

describe('push console in a browser', { timeout: 90_000 }, () => {
  before(async () => {
    fs.mkdirSync(OUTPUT, { recursive: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pushuikit-console-'));
    rig = await startRig({ CERT_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64') });
    await rig.server.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(rig.server.app.server.address() as AddressInfo).port}`;
    const executablePath = await chromium.executablePath();
    browser = await pw.chromium.launch({ executablePath, args: chromium.args, headless: true });
    context = await browser.newContext({ viewport: WIDE, locale: 'en-US', colorScheme: 'light' });
    // A step that does not happen within 5 s will not happen: fail there, with the locator, not at the suite's timeout.
    context.setDefaultTimeout(5000);
    page = watch(await context.newPage());
  });

  after(async () => {
    // Each step on its own: one failing must not leave the others running.
    await browser?.close().catch(() => {});
    await rig?.stop().catch(() => {});
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('serves the app, its modules and a strict CSP that allows exactly the import map', async () => {
    const r = await fetch(`${base}/console`);
    assert.equal(r.status, 200);
    const html = await r.text();
    const hash = crypto.createHash('sha256').update(importMapOf(html)).digest('base64');
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.ok(csp.includes(`script-src 'self' 'sha256-${hash}'`), csp);
    assert.match(csp, /style-src 'self';/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    for (const route of ['/console/devices', '/console/test-push/']) {
      const page_ = await fetch(`${base}${route}`);
      assert.equal(page_.status, 200, route);
      assert.equal(await page_.text(), html, route);
    }
    const preact = await fetch(`${base}/console/vendor/preact/preact.mjs`);
    assert.equal(preact.status, 200);
    assert.match(preact.headers.get('content-type') ?? '', /javascript/);
    assert.ok(preact.headers.get('content-security-policy'));
    for (const missing of ['/console/nope.js', '/console/vendor/preact-iso/index.js', '/console/vendor/preact/package.json']) {
      assert.equal((await fetch(`${base}${missing}`)).status, 404, missing);
    }
  });

  it('keeps the English and Chinese catalogues in step, and every key the pages use exists', async () => {
    // Plain browser modules (no types): imported by URL.
    const catalogue = async (name: string) =>
      (await import(pathToFileURL(path.join(SERVER_DIR, 'console', 'messages', name)).href)).default as Record<string, string>;
    const en = await catalogue('en.js');
    const zh = await catalogue('zh-CN.js');
    assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(params(zh[key]), params(text), `placeholders of ${key}`);
    }
    const dir = path.join(SERVER_DIR, 'console');
    const sources = ['app.js', 'lib.js', ...fs.readdirSync(path.join(dir, 'pages')).map((f) => `pages/${f}`)]
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
    const used = [...sources.matchAll(/\bt\(\s*'([A-Za-z.]+)'/g)].map((m) => m[1]);
    assert.ok(used.length > 100, 'the scan found the t() calls');
    assert.deepEqual(used.filter((k) => !(k in en)), []);
  });

  it('sends a signed-out visitor to sign-in, refuses a wrong password, and returns to the page asked for', async () => {
    await createAdmin(rig.config.dataDir);
    await page.goto(`${base}/console/deliveries`);
    await page.waitForURL(/\/console\/sign-in\?next=%2Fconsole%2Fdeliveries$/);
    await shot(page, 'sign-in-wide-light');
    await page.getByLabel('Administrator name').fill(ADMIN);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong name or password.' }).waitFor();
    await signIn(page);
    await page.waitForURL(`${base}/console/deliveries`);
    await page.getByRole('heading', { name: 'Delivery log', level: 1 }).waitFor();
    assert.equal(await page.getByText(`Signed in as ${ADMIN}`).count(), 1);
  });

  it('adds a certificate from an uploaded key file: field errors next to the file, then only the key\'s public facts', async () => {
    await nav(page, 'Certificates').click();
    await page.getByRole('heading', { name: 'Push certificates' }).waitFor();
    // The environment's certificates are listed read-only.
    const envRow = page.getByRole('row').filter({ hasText: CLIENT_ID });
    await envRow.getByText('Read-only: configured in the server\'s environment.').waitFor();
    assert.equal(await envRow.getByRole('button').count(), 0);

    const bad = path.join(tmp, 'not-a-key.json');
    fs.writeFileSync(bad, 'this is not JSON');
    await page.getByLabel('Certificate name (Client ID)').fill(CERT);
    await page.getByLabel('Service-account key file (JSON)').setInputFiles(bad);
    await page.getByText('Chosen file: not-a-key.json').waitFor();
    await page.getByRole('button', { name: 'Add certificate' }).click();
    const fieldError = page.locator('#cert-key-error');
    await fieldError.waitFor({ state: 'visible' });
    assert.notEqual((await fieldError.innerText()).trim(), '');
    assert.equal(await page.getByLabel('Service-account key file (JSON)').getAttribute('aria-invalid'), 'true');

    const key = path.join(tmp, 'agc-service-account.json');
    fs.writeFileSync(key, JSON.stringify({ project_id: PROJECT_ID, key_id: KEY_ID, private_key: TEST_KEYS.privatePem,
      sub_account: SUB_ACCOUNT, type: 'service_account', token_uri: 'https://oauth-login.cloud.huawei.com/oauth2/v3/token' }));
    await page.getByLabel('Service-account key file (JSON)').setInputFiles(key);
    await page.getByText('Chosen file: agc-service-account.json').waitFor();
    await page.getByLabel('Category', { exact: true }).selectOption('WORK');
    // The chosen category's sentence, under the list (which also has every category's sentence).
    await page.locator('#cert-category-about').getByText('Work: tasks, approvals and schedules at work.').waitFor();
    await page.getByLabel('Send VoIP pushes (calls)').check();
    await page.getByRole('button', { name: 'Add certificate' }).click();
    const saved = page.getByRole('status').filter({ hasText: `Certificate ${CERT} added.` });
    await saved.waitFor();
    assert.match(await saved.innerText(), new RegExp(`Key ID\\s+${KEY_ID}`));
    assert.match(await saved.innerText(), new RegExp(`Sub-account\\s+${SUB_ACCOUNT}`));
    assert.match(await saved.innerText(), /SHA256:[A-Za-z0-9+/=]+/);
    const row = page.getByRole('row').filter({ hasText: CERT });
    await row.getByText('WORK').waitFor();
    await row.getByText('enabled', { exact: true }).waitFor();
    // The key never comes back: nothing of it is in the page.
    const text = await page.content();
    assert.ok(!text.includes('PRIVATE KEY') && !text.includes(TEST_KEYS.privatePem.split('\n')[1]), 'no private key in the DOM');
    // The list and the saved key's facts, at the top of the page.
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'certificate-added-wide-light', false);
  });

  it('sends a test push and shows the request (token redacted) and Push Kit\'s answer; the open log shows it live', async () => {
    const account = await chatApi('POST', '/accounts', { userId: USER, password: 'carol-password-1', displayName: 'Carol' });
    assert.equal(account.status, 201, await account.clone().text());
    const { token } = await account.json() as { token: string };
    const bound = await chatApi('PUT', `/devices/${DEVICE}`, { pushToken: PUSH_TOKEN, clientId: CERT }, token);
    assert.equal(bound.status, 204, await bound.text());

    // A second tab on the delivery log, marked so that a reload would be noticed.
    const log = watch(await context.newPage());
    await log.goto(`${base}/console/deliveries`);
    await log.getByText('Live: new entries appear here.').waitFor();
    await log.evaluate(() => { (window as unknown as { marker: string }).marker = 'not reloaded'; });
    const rowsBefore = await log.getByRole('row').filter({ hasText: CERT }).count();
    assert.equal(rowsBefore, 0);

    // Push Kit holds the request, so the button's progress state is there to be seen.
    rig.fake.hold = true;
    await sendTestPush(page);
    const sending = page.getByRole('button', { name: 'Sending…' });
    await sending.waitFor();
    assert.equal(await sending.isDisabled(), true);
    rig.fake.release();

    const result = page.getByRole('article', { name: `Result for certificate ${CERT}` });
    await result.waitFor();
    const request = await result.locator('pre').innerText();
    assert.match(request, /^POST http:\/\/127\.0\.0\.1:\d+\/v3\/101234567\/messages:send$/m);
    assert.match(request, /^authorization: Bearer <redacted>$/im);
    assert.match(request, /^push-type: 0$/m);
    assert.match(request, /"<redacted>"/);
    assert.match(request, /"category": "WORK"/);
    assert.match(request, /Hello from the console/);
    assert.ok(!(await page.content()).includes(PUSH_TOKEN), 'the push token is not in the page');
    await result.getByText('80000000').waitFor();
    await result.getByText('sent', { exact: true }).waitFor();
    assert.deepEqual(rig.fake.accepted.map((r) => r.tokens), [[PUSH_TOKEN]]);
    await shot(page, 'test-push-result-wide-light');

    // The log tab got the entry over the stream, without a reload.
    const liveRow = log.getByRole('row').filter({ hasText: CERT });
    await liveRow.waitFor();
    await liveRow.getByText('sent', { exact: true }).waitFor();
    await liveRow.getByText(USER).waitFor();
    assert.equal(await log.evaluate(() => (window as unknown as { marker?: string }).marker), 'not reloaded');
    // The chart follows: the certificate's 24-hour totals count the token.
    const chart = log.getByRole('figure').filter({ hasText: CERT });
    await chart.getByText(/^Sent\s*1$/).waitFor();
    // Its request, from the entry's details.
    await liveRow.getByRole('button', { name: /^Request of entry/ }).click();
    const details = liveRow.locator('pre');
    await details.getByText('Hello from the console', { exact: false }).waitFor();
    assert.ok(!(await details.innerText()).includes(PUSH_TOKEN), 'no token in the logged request');
    await log.close();
  });

  it('shows the delivery log with filters, and refuses a push once the certificate is disabled', async () => {
    await nav(page, 'Delivery log').click();
    await page.getByRole('row').filter({ hasText: CERT }).first().waitFor();
    await page.getByLabel('Result', { exact: true }).selectOption('failure');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/result=failure/);
    await page.getByText('No entries match.').waitFor();
    await page.getByRole('link', { name: 'Clear filters' }).click();
    await page.getByRole('row').filter({ hasText: CERT }).first().waitFor();
    await shot(page, 'deliveries-filtered-wide-light');

    await nav(page, 'Certificates').click();
    await page.getByRole('button', { name: `Disable ${CERT}` }).click();
    await page.getByRole('status').filter({ hasText: `Certificate ${CERT} disabled` }).waitFor();
    await page.getByRole('row').filter({ hasText: CERT }).getByText('disabled', { exact: true }).waitFor();

    await sendTestPush(page);
    const result = page.getByRole('article', { name: `Result for certificate ${CERT}` });
    await result.getByText('refused', { exact: true }).waitFor();
    await result.getByRole('alert').filter({ hasText: /disabled/ }).waitFor();
    assert.equal(rig.fake.accepted.length, 1, 'nothing more reached Push Kit');
  });

  it('finds the user, shows the device and its certificate, and unbinds it', async () => {
    await nav(page, 'Devices').click();
    await page.getByLabel('User ID or display name').fill('CAR');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('button', { name: /Carol/ }).click();
    await page.waitForURL(/user=carol/);
    const row = page.getByRole('row').filter({ hasText: DEVICE });
    // Its certificate, disabled by the previous step.
    await row.getByRole('cell', { name: `${CERT} disabled`, exact: true }).waitFor();
    await row.getByText(`${PUSH_TOKEN.slice(0, 4)}`, { exact: false }).first().waitFor();
    assert.ok(!(await page.content()).includes(PUSH_TOKEN), 'only the token\'s prefix is shown');
    await page.getByText('Push only when all of the user\'s devices are offline').waitFor();
    await shot(page, 'devices-user-wide-light');
    await row.getByRole('button', { name: `Unbind ${DEVICE}` }).click();
    await row.getByRole('button', { name: 'Unbind', exact: true }).click();
    await page.getByRole('status').filter({ hasText: `Device ${DEVICE} unbound.` }).waitFor();
    await page.getByText('This user has no bound device.').waitFor();
  });

  it('returns to sign-in when the session has ended, and back to the page after', async () => {
    await nav(page, 'Certificates').click();
    await page.getByRole('heading', { name: 'Push certificates' }).waitFor();
    // The page's own request done (its list shown) before the cookie goes.
    await page.getByRole('row').filter({ hasText: CERT }).waitFor();
    await context.clearCookies();
    await nav(page, 'Test push').click();
    await page.getByLabel('User ID', { exact: true }).fill(USER);
    await page.getByLabel('User ID', { exact: true }).press('Tab');
    await page.getByText('Your session has ended.', { exact: false }).waitFor();
    assert.match(page.url(), /\/console\/sign-in\?next=%2Fconsole%2Ftest-push$/);
    await signIn(page);
    await page.waitForURL(`${base}/console/test-push`);
  });

  it('switches to Simplified Chinese and back', async () => {
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('link', { name: '测试推送' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await page.getByRole('button', { name: '发送测试推送' }).waitFor();
    await page.getByLabel('语言').selectOption('en');
    await nav(page, 'Test push').waitFor();
  });

  it('works at phone width and in dark mode on every page', async () => {
    const pages = [
      ['certificates', 'Push certificates'], ['devices?q=carol&user=carol', 'Devices'], ['test-push', 'Test push'],
      ['deliveries', 'Delivery log'],
    ] as const;
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [size, viewport] of [['wide', WIDE], ['phone', PHONE]] as const) {
        await page.setViewportSize(viewport);
        for (const [route, title] of pages) {
          await page.goto(`${base}/console/${route}`);
          await page.getByRole('heading', { name: title, level: 1 }).waitFor();
          if (route === 'deliveries') await page.getByRole('row').filter({ hasText: CERT }).first().waitFor();
          if (route === 'certificates') await page.getByRole('row').filter({ hasText: CERT }).waitFor();
          const layout = await page.evaluate(() => ({
            overflow: document.documentElement.scrollWidth - window.innerWidth,
            background: getComputedStyle(document.body).backgroundColor,
            head: getComputedStyle(document.querySelector('table.cards thead') ?? document.body).position,
          }));
          assert.ok(layout.overflow <= 0, `${route} ${size} ${scheme}: ${layout.overflow}px wider than the screen`);
          assert.equal(layout.background, scheme === 'dark' ? 'rgb(18, 20, 23)' : 'rgb(255, 255, 255)', `${route} ${scheme}`);
          // At phone width tables become stacked cards: their heading row is only for screen readers.
          if (route === 'certificates' || route === 'deliveries') assert.equal(layout.head, size === 'phone' ? 'absolute' : 'static', `${route} ${size}`);
          await shot(page, `${route.split('?')[0]}-${size}-${scheme}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });
});
