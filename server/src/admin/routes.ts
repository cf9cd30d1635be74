// The administration API of the push console (/api/v1/admin): sign-in, certificates, users and devices,
// test pushes, and the delivery log (with a live stream). Only the console's session cookie opens it: a chat
// user's bearer token is refused on every route, and every change needs the session's CSRF token.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import type { Config } from '../config.js';
import { ACTION_PATTERN, CATEGORIES, CLIENT_ID_PATTERN, DEFAULT_ACTION, MAX_SERVICE_ACCOUNT_CHARS, ServiceAccountError,
  parseServiceAccount } from '../config.js';
import type { ServiceAccount } from '../config.js';
import { ApiError } from '../service.js';
import type { ImService } from '../service.js';
import type { CertificateStore } from '../push/certificates.js';
import { CertificateStoreError } from '../push/certificates.js';
import type { DeliveryLog, Entry, ResultFilter } from '../push/deliveries.js';
import { RESULT_FILTERS } from '../push/deliveries.js';
import type { PushKitClient } from '../push/client.js';
import { PushRequestError, redactedRequest } from '../push/client.js';
import { MAX_TEST_TOKENS, MAX_TOKENS, PUSH_TYPE_ALERT, PUSH_TYPE_VOIP, fittedNotification, notifyIdOf, voipBody } from '../push/payloads.js';
import type { Admins, AdminSession } from './accounts.js';
import { ADMIN_NAME_PATTERN, csrfMatches } from './accounts.js';
import type { Directory } from './directory.js';

declare module 'fastify' {
  interface FastifyRequest {
    admin: AdminSession;
  }
}

export const ADMIN_COOKIE = 'pushuikit_admin';
export const CSRF_HEADER = 'x-csrf-token';
const COOKIE_PATH = '/api/v1/admin';
/** Live log streams open at once, in all; each holds a socket and a listener. */
const MAX_STREAMS = 20;
const KEEP_ALIVE_MS = 25_000;
/** A test notification stays this long at Push Kit for an offline device. */
const TEST_TTL_SECONDS = 300;

export interface AdminDeps {
  config: Config;
  admins: Admins;
  certificates: CertificateStore;
  deliveries: DeliveryLog;
  directory: Directory;
  service: ImService;
  client: PushKitClient;
  now: () => number;
  /** A per-minute limit keyed as given (the API's rate limiter). */
  perMinute: (max: number, what: string, key: (r: FastifyRequest) => string) => (r: FastifyRequest) => Promise<void>;
}

const id = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;
const certName = { type: 'string', pattern: CLIENT_ID_PATTERN } as const;
const certFields = {
  category: { type: 'string', enum: [...CATEGORIES] },
  action: { type: 'string', pattern: ACTION_PATTERN },
  voip: { type: 'boolean' },
  testMessage: { type: 'boolean' },
  enabled: { type: 'boolean' },
  // The key file's text: parsed and checked by parseServiceAccount, the one validator for key files.
  serviceAccount: { type: 'string', minLength: 1, maxLength: MAX_SERVICE_ACCOUNT_CHARS },
} as const;

function serviceAccountFrom(text: string): ServiceAccount {
  try {
    return parseServiceAccount(text);
  } catch (e) {
    if (e instanceof ServiceAccountError) throw new ApiError(400, e.message, 'body/serviceAccount');
    throw e;
  }
}

function certificateCall<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof CertificateStoreError) throw new ApiError(e.status, e.message, e.field);
    throw e;
  }
}

/** Registers the API; answers the routes it made ("GET /api/v1/admin/meta", ...), which the tests walk. */
export async function registerAdminApi(app: FastifyInstance<any, any, any, any>, deps: AdminDeps): Promise<string[]> {
  const { config, admins, certificates, deliveries, directory, service, client } = deps;
  const signInLimits = [
    deps.perMinute(config.rateLimits.signInPerAddress, 'sign-in attempts from this address', (r) => `admin-sign-in:${r.ip}`),
    deps.perMinute(config.rateLimits.signInPerUser, 'sign-in attempts for this administrator',
      (r) => `admin-sign-in-name:${(r.body as { name?: string }).name ?? ''}`),
  ];
  const requests = deps.perMinute(config.rateLimits.requests, 'console requests', (r) => `admin:${r.admin.name}`);
  const testPushes = deps.perMinute(config.rateLimits.messages, 'test pushes', (r) => `admin-test-push:${r.admin.name}`);
  const streams = new Set<() => void>();
  // Open streams would keep close() waiting for ever: end them first.
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  const cookieOptions = (request: FastifyRequest) => ({
    path: COOKIE_PATH, httpOnly: true, sameSite: 'strict' as const, secure: request.protocol === 'https',
  });

  /** The console's session from its cookie. */
  const authenticate = async (request: FastifyRequest) => {
    const session = admins.session(request.cookies[ADMIN_COOKIE]);
    if (!session) throw new ApiError(401, 'not signed in to the console, or the session expired');
    request.admin = session;
  };
  /** SameSite=Strict keeps other sites' requests from carrying the cookie; the header is the second lock. */
  const csrf = async (request: FastifyRequest) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    if (!csrfMatches(request.headers[CSRF_HEADER], request.admin.csrfToken)) {
      throw new ApiError(403, `missing or wrong ${CSRF_HEADER} header: reload the console`);
    }
  };

  const routes: string[] = [];
  await app.register(async (admin) => {
    // Only the console uses cookies: the chat API's requests and answers do not pay for parsing them.
    await admin.register(cookie);
    admin.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`);
    });
    // Before anything is parsed: a chat session's token is refused whatever else the request carries.
    admin.addHook('onRequest', async (request) => {
      if (request.headers.authorization !== undefined) {
        throw new ApiError(401, 'the administration API takes no bearer token (chat sessions cannot use it): sign in to the console');
      }
    });
    admin.post('/session', {
      preHandler: signInLimits,
      schema: { body: { type: 'object', additionalProperties: false, required: ['name', 'password'], properties: {
        name: { type: 'string', pattern: ADMIN_NAME_PATTERN }, password: { type: 'string', minLength: 1, maxLength: 256 } } } },
    }, async (request, reply) => {
      const body = request.body as { name: string; password: string };
      const signed = await admins.signIn(body.name, body.password);
      if (!signed) throw new ApiError(401, 'wrong name or password');
      request.log.info({ admin: body.name }, 'console sign-in');
      void reply.setCookie(ADMIN_COOKIE, signed.token, { ...cookieOptions(request), expires: new Date(signed.expiresAt) });
      return { name: signed.name, csrfToken: signed.csrfToken, expiresAt: signed.expiresAt };
    });

    await admin.register(async (authed) => {
      authed.addHook('onRequest', authenticate);
      authed.addHook('onRequest', csrf);
      authed.addHook('preHandler', requests);

      authed.get('/session', async (request) => request.admin);
      authed.delete('/session', async (request, reply) => {
        admins.signOut(request.cookies[ADMIN_COOKIE] as string);
        void reply.clearCookie(ADMIN_COOKIE, cookieOptions(request));
        return reply.code(204).send();
      });

      authed.get('/meta', async () => ({
        categories: [...CATEGORIES], defaultCategory: 'IM', defaultAction: DEFAULT_ACTION, maxTestTokens: MAX_TEST_TOKENS,
        retentionDays: config.pushLogRetentionDays, dryRun: certificates.dryRun, keyStorage: certificates.canStore,
      }));

      authed.get('/certificates', async () => ({ certificates: certificates.list() }));

      authed.post('/certificates', {
        schema: { body: { type: 'object', additionalProperties: false, required: ['name', 'serviceAccount'],
          properties: { name: certName, ...certFields } } },
      }, async (request, reply) => {
        const b = request.body as { name: string; serviceAccount: string; category?: string; action?: string; voip?: boolean;
          testMessage?: boolean; enabled?: boolean };
        const account = serviceAccountFrom(b.serviceAccount);
        const cert = certificateCall(() => certificates.add(b.name, account, { category: b.category ?? 'IM',
          action: b.action ?? DEFAULT_ACTION, voip: b.voip ?? false, testMessage: b.testMessage ?? false, enabled: b.enabled ?? true }));
        request.log.info({ admin: request.admin.name, certificate: b.name, keyId: account.key_id }, 'push certificate added');
        return reply.code(201).send(cert);
      });

      authed.put('/certificates/:name', {
        schema: { params: { type: 'object', properties: { name: certName } },
          body: { type: 'object', additionalProperties: false, minProperties: 1, properties: certFields } },
      }, async (request) => {
        const name = (request.params as { name: string }).name;
        const b = request.body as { serviceAccount?: string; category?: string; action?: string; voip?: boolean; testMessage?: boolean; enabled?: boolean };
        const account = b.serviceAccount === undefined ? undefined : serviceAccountFrom(b.serviceAccount);
        const cert = certificateCall(() => certificates.update(name, { category: b.category, action: b.action, voip: b.voip,
          testMessage: b.testMessage, enabled: b.enabled, serviceAccount: account }));
        request.log.info({ admin: request.admin.name, certificate: name, changed: Object.keys(b) }, 'push certificate changed');
        return cert;
      });

      authed.delete('/certificates/:name', {
        schema: { params: { type: 'object', properties: { name: certName } } },
      }, async (request, reply) => {
        const name = (request.params as { name: string }).name;
        certificateCall(() => certificates.remove(name));
        request.log.info({ admin: request.admin.name, certificate: name }, 'push certificate deleted');
        return reply.code(204).send();
      });

      authed.get('/users', {
        schema: { querystring: { type: 'object', additionalProperties: false, required: ['q'], properties: {
          q: { type: 'string', minLength: 1, maxLength: 64 }, limit: { type: 'integer', minimum: 1, maximum: 50, default: 20 } } } },
      }, async (request) => {
        const q = request.query as { q: string; limit: number };
        return { users: directory.search(q.q, q.limit) };
      });

      authed.get('/users/:userId', { schema: { params: { type: 'object', properties: { userId: id } } } },
        async (request) => directory.user((request.params as { userId: string }).userId));

      authed.delete('/users/:userId/devices/:deviceId', {
        schema: { params: { type: 'object', properties: { userId: id, deviceId: id } } },
      }, async (request, reply) => {
        const p = request.params as { userId: string; deviceId: string };
        if (!service.unbindDevice(p.userId, p.deviceId)) throw new ApiError(404, 'no such device');
        request.log.info({ admin: request.admin.name, userId: p.userId, deviceId: p.deviceId }, 'device unbound in the console');
        return reply.code(204).send();
      });

      authed.post('/test-push', {
        preHandler: testPushes,
        schema: { body: { type: 'object', additionalProperties: false, required: ['userId', 'pushType', 'title', 'body'], properties: {
          userId: id, deviceId: id, pushType: { type: 'string', enum: ['notification', 'voip'] },
          title: { type: 'string', minLength: 1, maxLength: 100, wellFormed: true, notBlank: true },
          body: { type: 'string', minLength: 1, maxLength: 1000, wellFormed: true, notBlank: true } } } },
      }, async (request) => {
        const b = request.body as { userId: string; deviceId?: string; pushType: 'notification' | 'voip'; title: string; body: string };
        if (!service.userExists(b.userId)) throw new ApiError(404, 'no such user', 'body/userId');
        const groups = directory.tokens(b.userId, b.deviceId);
        if (groups.size === 0) {
          if (b.deviceId !== undefined) throw new ApiError(404, 'this user has no device with that id', 'body/deviceId');
          throw new ApiError(409, 'this user has no bound device', 'body/userId');
        }
        const results = [];
        const context = { userIds: [b.userId], attempt: 1, test: true };
        for (const [clientId, group] of groups) {
          const found = certificates.lookup(clientId);
          const base = { certificate: clientId, deviceIds: group.deviceIds, tokens: group.tokens.length };
          // A refusal is logged like the outbox's: the delivery log shows every push that did not go, and why.
          const refuse = (reason: string) => {
            const entry = deliveries.recordUnsent(clientId, b.pushType === 'voip' ? PUSH_TYPE_VOIP : PUSH_TYPE_ALERT, {},
              group.tokens.length, reason, 'refused', context);
            results.push({ ...base, dryRun: false, refused: reason, deliveryId: entry.id });
          };
          if (!('cert' in found)) {
            refuse(found.refused);
            continue;
          }
          const cert = found.cert;
          if (b.pushType === 'voip' && !cert.voip) {
            refuse(`certificate ${clientId} does not send VoIP pushes (VoIP is off)`);
            continue;
          }
          const pushType = b.pushType === 'voip' ? PUSH_TYPE_VOIP : PUSH_TYPE_ALERT;
          // The app routes a notification whose data names no page to its home page, and drops a VoIP message
          // that is no invitation: a test reaches the device and shows, and opens nothing else.
          const body = pushType === PUSH_TYPE_VOIP
            ? voipBody({ route: 'test', title: b.title, body: b.body }, 60, cert.testMessage)
            : fittedNotification({ category: cert.category, title: b.title, body: b.body, action: cert.action, data: {},
              notifyId: notifyIdOf(`test:${b.userId}`), ttlSeconds: TEST_TTL_SECONDS, testMessage: cert.testMessage,
              profileId: service.pushProfileId(b.userId) });
          const limit = cert.testMessage ? MAX_TEST_TOKENS : MAX_TOKENS;
          const tokens = group.tokens.slice(0, limit);
          const request_ = redactedRequest(config.pushApiBase, cert, pushType, body, tokens);
          let outcome;
          try {
            outcome = await client.send(cert, pushType, body, tokens, context);
          } catch (e) {
            // Checked before sending (validateRequest): e.g. a VoIP test whose text makes the body too big.
            if (!(e instanceof PushRequestError)) throw e;
            refuse(e.message);
            continue;
          }
          const dryRun = !cert.serviceAccount;
          results.push({
            ...base, tokens: tokens.length, dryRun, request: request_, response: outcome.response ?? null,
            outcome: outcome.kind === 'sent' ? (outcome.invalidTokens.length > 0 ? 'partial' : 'sent') : outcome.kind === 'retry' ? 'retry' : 'failed',
            reason: outcome.kind === 'sent' ? undefined : outcome.reason,
            deliveryId: outcome.logged ?? null,
          });
        }
        request.log.info({ admin: request.admin.name, userId: b.userId, pushType: b.pushType }, 'test push');
        return { results };
      });

      const deliveryQuery = {
        type: 'object', additionalProperties: false, properties: {
          userId: id, certificate: certName, result: { type: 'string', enum: Object.keys(RESULT_FILTERS) },
          before: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
      } as const;
      authed.get('/deliveries', { schema: { querystring: deliveryQuery } }, async (request) => {
        const q = request.query as { userId?: string; certificate?: string; result?: ResultFilter; before?: number; limit: number };
        return deliveries.query(q);
      });

      authed.get('/deliveries/stats', async () => deliveries.stats());

      authed.get('/deliveries/stream', async (request, reply) => stream(request, reply));

      authed.get('/deliveries/:id', {
        schema: { params: { type: 'object', properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } } } },
      }, async (request) => {
        const entry = deliveries.get((request.params as { id: number }).id);
        if (!entry) throw new ApiError(404, 'no such delivery-log entry');
        return entry;
      });
    });
  }, { prefix: '/api/v1/admin' });

  /** Server-sent events: each new log entry as `event: delivery`, and a comment now and then to keep proxies from closing it. */
  function stream(request: FastifyRequest, reply: FastifyReply): void {
    if (streams.size >= MAX_STREAMS) throw new ApiError(429, `at most ${MAX_STREAMS} live log streams at once`, undefined, 5);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive',
      'x-content-type-options': 'nosniff' });
    raw.write(': connected\n\n');
    const send = (entry: Entry) => raw.write(`event: delivery\ndata: ${JSON.stringify(entry)}\n\n`);
    const off = deliveries.onEntry(send);
    const session = request.admin;
    const keepAlive = setInterval(() => {
      // A session that expired or signed out ends its stream too.
      if (!admins.session(request.cookies[ADMIN_COOKIE]) || session.expiresAt <= deps.now()) raw.end();
      else raw.write(': keep-alive\n\n');
    }, KEEP_ALIVE_MS);
    keepAlive.unref();
    const close = () => {
      if (!streams.delete(end)) return;
      clearInterval(keepAlive);
      off();
    };
    const end = () => {
      close();
      raw.end();
    };
    streams.add(end);
    raw.on('close', close);
    raw.on('error', close);
  }
  return routes;
}
