// The administrators' push console: a single-page app (Preact + htm + the preact-iso router, no build step)
// served from server/console/ at /console/, its ES modules from the installed packages at /console/vendor/.
// Every console response carries a strict Content-Security-Policy; the one inline script (the import map)
// is allowed by its hash, computed here at start-up from the file we serve.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';

const CONSOLE_DIR = fileURLToPath(new URL('../console/', import.meta.url));
const require = createRequire(import.meta.url);

/** The browser modules of the packages, by URL under /console/vendor/ (the import map in index.html names them). */
const VENDOR: { prefix: string; dir: string; files: string[] }[] = [
  { prefix: '/vendor/preact/', dir: path.join(packageDir('preact'), 'dist'), files: ['preact.mjs', 'preact.mjs.map'] },
  { prefix: '/vendor/preact/hooks/', dir: path.join(packageDir('preact'), 'hooks', 'dist'), files: ['hooks.mjs', 'hooks.mjs.map'] },
  { prefix: '/vendor/htm/', dir: path.join(packageDir('htm'), 'dist'), files: ['htm.mjs'] },
  // Only the router: preact-iso's index also pulls in prerendering (preact-render-to-string), which we neither need nor ship.
  { prefix: '/vendor/preact-iso/', dir: path.join(packageDir('preact-iso'), 'src'), files: ['router.js'] },
];

/**
 * Where a package is installed, found the way Node finds it (never a hard-coded node_modules path): its entry
 * point, then up to the folder of its package.json (htm does not export ./package.json, so that is not resolvable).
 */
function packageDir(name: string): string {
  let dir = path.dirname(require.resolve(name));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the folder of package ${name}`);
    dir = parent;
  }
}

/** The text of the inline import map, which the CSP allows by its SHA-256. */
export function importMapOf(html: string): string {
  const match = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('console/index.html has no import map');
  return match[1];
}

export function contentSecurityPolicy(html: string): string {
  const hash = crypto.createHash('sha256').update(importMapOf(html), 'utf8').digest('base64');
  return [
    "default-src 'self'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** Client routes have no dot in their last segment; anything else that is not a file is a 404, not the app. */
const CLIENT_ROUTE = /^\/console(\/[A-Za-z0-9_-]+)*\/?$/;

export async function registerConsolePages(app: FastifyInstance<any, any, any, any>): Promise<void> {
  // Read once: the hash must be of exactly the bytes we serve, and the page is small.
  const html = fs.readFileSync(path.join(CONSOLE_DIR, 'index.html'), 'utf8');
  const csp = contentSecurityPolicy(html);

  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', csp);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      return payload;
    });

    const sendIndex = (reply: FastifyReply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);

    // The app's own files. wildcard: false registers a route per file found at start-up, so the catch-all
    // below only sees paths that are not files; index.html is served by sendIndex alone (with no-store).
    await scope.register(fastifyStatic, {
      root: CONSOLE_DIR,
      prefix: '/',
      wildcard: false,
      index: false,
      decorateReply: false,
      dotfiles: 'ignore',
      globIgnore: ['**/index.html'],
      // No hashed file names (no build step): the browser revalidates each time, with the ETag.
      cacheControl: false,
      setHeaders: (reply) => { reply.header('cache-control', 'no-cache'); },
    });
    for (const vendor of VENDOR) {
      const allowed = new Set(vendor.files.map((f) => `/${f}`));
      await scope.register(fastifyStatic, {
        root: vendor.dir,
        prefix: vendor.prefix,
        wildcard: false,
        index: false,
        decorateReply: false,
        allowedPath: (pathName: string) => allowed.has(pathName),
        cacheControl: false,
        setHeaders: (reply) => { reply.header('cache-control', 'no-cache'); },
      });
    }

    scope.get('/', (_request, reply) => sendIndex(reply));
    scope.get('/*', (request, reply) => {
      const pathName = request.url.split('?')[0];
      if (CLIENT_ROUTE.test(pathName) && !pathName.startsWith('/console/vendor')) return sendIndex(reply);
      return reply.code(404).type('application/json').send({ error: `no route GET ${pathName}` });
    });
    scope.setNotFoundHandler((request, reply) =>
      reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }));
  }, { prefix: '/console' });
}
