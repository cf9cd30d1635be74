// The HTTP and WebSocket API (fastify): schemas, authentication, rate limits and error answers.
import os from 'node:os';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import websocket from '@fastify/websocket';
import rateLimit from '@fastify/rate-limit';
import type { Logger } from 'pino';
import pino from 'pino';
import type { Config } from './config.js';
import { ConfigError } from './config.js';
import { RedisBroker } from './broker.js';
import { Ajv } from 'ajv';
import type { SchemaValidateFunction, ValidateFunction } from 'ajv';
import type { WebSocket } from 'ws';
import { isStorageUnavailable, openDb } from './db.js';
import { Checkpointer } from './checkpoints.js';
import type { Db } from './db.js';
import { ExternalTokenError, ExternalTokens, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, Passwords, Sessions } from './auth.js';
import type { IssuedSession } from './auth.js';
import { Hub } from './hub.js';
import { ApiError, ImService, hasControlCharacters, hasVisibleCharacter, isWellFormed } from './service.js';
import type { SendInput } from './service.js';
import { MAX_TIME_ZONE_LENGTH, MINUTES_PER_DAY, isTimeZone } from './dnd.js';
import { PushKitClient } from './push/client.js';
import { PushOutbox } from './push/outbox.js';
import { registerConsolePages } from './console.js';
import { CertificateStore } from './push/certificates.js';
import { DeliveryLog } from './push/deliveries.js';
import { keepAliveTransport } from './push/transport.js';
import type { HttpPost } from './push/transport.js';
import { Admins } from './admin/accounts.js';
import { Directory } from './admin/directory.js';
import { registerAdminApi } from './admin/routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    userId: string;
    sessionId: string;
  }
}

const ID = '^[A-Za-z0-9_-]{1,64}$';
const id = { type: 'string', pattern: ID } as const;
/** Text a person wrote: well-formed Unicode (what we store is what we acknowledged) and not only spaces. */
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, wellFormed: true, notBlank: true } as const);
/** A display name: text as above (1..64 characters, counted by code point as sent, stored trimmed) without control characters. */
const displayName = { ...text(64), noControl: true } as const;
/** Minutes after local midnight (the do-not-disturb window's ends). */
const minuteOfDay = { type: 'integer', minimum: 0, maximum: MINUTES_PER_DAY - 1 } as const;
const password = { type: 'string', minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH, wellFormed: true } as const;
const DIGITS = /^(0|[1-9][0-9]{0,14})$/;
const upToSeq = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
/** POST /messages and the socket's `send` frame: one schema. */
const MESSAGE_BODY = { type: 'object', additionalProperties: false, required: ['text', 'clientMsgId'],
  oneOf: [{ required: ['to'] }, { required: ['groupId'] }],
  properties: { to: id, groupId: id, text: text(4000), clientMsgId: id } } as const;
/**
 * Bodies are validated, never converted: "42" is not a number and 42 is not a string. Unknown fields are an
 * error (a client's typo must not pass silently), and Infinity/NaN are not numbers. The REST routes and the
 * socket's frames use these options and the same keywords.
 */
const AJV_OPTIONS = { coerceTypes: false, removeAdditional: false, strictNumbers: true, allErrors: false } as const;

/** Requests a client may make over its WebSocket (docs/protocol.md): the REST body plus `type` and an id to answer to. */
const FRAME_SCHEMAS = {
  send: { ...MESSAGE_BODY, required: [...MESSAGE_BODY.required, 'type'], properties: { ...MESSAGE_BODY.properties, type: { const: 'send' } } },
  read: { type: 'object', additionalProperties: false, required: ['type', 'requestId', 'conversationId', 'upToSeq'],
    properties: { type: { const: 'read' }, requestId: id, conversationId: id, upToSeq } },
  call: { type: 'object', additionalProperties: false, required: ['type', 'requestId', 'callId', 'action'],
    properties: { type: { const: 'call' }, requestId: id, callId: id, action: { type: 'string', enum: ['accept', 'reject', 'cancel', 'hangup'] } } },
} as const;
type FrameType = keyof typeof FRAME_SCHEMAS;

interface ErrorAnswer {
  status: number;
  body: { error: string; field?: string };
  retryAfter?: number;
}

interface ValidationIssue {
  keyword: string;
  instancePath?: string;
  params?: unknown;
}

/** The error and the field a failed validation names: an unknown field is named itself, escaped as in a JSON pointer. */
function validationAnswer(issues: ValidationIssue[], context: string, message: string): { error: string; field: string } {
  const first = issues[0];
  const unknown = first?.keyword === 'additionalProperties' ? (first.params as { additionalProperty?: unknown }).additionalProperty : undefined;
  const extra = typeof unknown === 'string' ? `/${unknown.replace(/~/g, '~0').replace(/\//g, '~1')}` : '';
  return { error: message, field: `${context}${first?.instancePath ?? ''}${extra}` };
}

/**
 * Our schema keywords: `wellFormed` refuses lone UTF-16 surrogates, `notBlank` strings of white space,
 * `noControl` control and invisible formatting characters (and names with nothing visible), `timeZone` names that are not an IANA time zone the server knows.
 */
function textKeywords(ajv: Ajv): Ajv {
  const keyword = (name: string, ok: (s: string) => boolean, message: string) => {
    const validate: SchemaValidateFunction = (schema: boolean, data: string) => {
      if (!schema || ok(data)) return true;
      validate.errors = [{ keyword: name, message, params: {} }];
      return false;
    };
    ajv.addKeyword({ keyword: name, type: 'string', schemaType: 'boolean', errors: true, validate });
  };
  keyword('wellFormed', isWellFormed, 'must be well-formed Unicode text (no lone surrogates)');
  keyword('notBlank', (s) => s.trim().length > 0, 'must not be blank');
  keyword('noControl', (s) => !hasControlCharacters(s) && hasVisibleCharacter(s),
    'must have a visible character and no control or invisible formatting characters');
  keyword('timeZone', isTimeZone, 'must be an IANA time zone name, such as Asia/Shanghai or UTC');
  return ajv;
}

/** WebSocket close codes of ours (4000-4999 belong to applications). */
export const CLOSE_SESSION_ENDED = 4001;
export const CLOSE_TOO_MANY_DEVICES = 4008;
export const CLOSE_REPLACED = 4009;
export const CLOSE_TOO_MANY_FRAMES = 4029;
/** Pings (and malformed frames) a client may send per socket in FRAME_WINDOW_MS: one every 30 s or so is enough. */
const FRAMES_PER_WINDOW = 20;
const FRAME_WINDOW_MS = 10_000;
/** Requests (send, read, call) one socket may have unanswered: more are answered 429 at once. */
export const MAX_REQUESTS_IN_FLIGHT = 256;
/** Requests answered 429 per socket in FRAME_WINDOW_MS before the socket is closed (4029). */
const LIMITED_PER_WINDOW = 100;

export interface ServerDeps {
  /** Test hook: how Push Kit requests go out (default: keep-alive connections, closed with the server). */
  post?: HttpPost;
  now?: () => number;
  log?: Logger;
  /** Test hook: retry sleeps of the Push Kit client (default: real timers). */
  sleep?: (ms: number) => Promise<void>;
  /** Test hook: scrypt cost of new password hashes (default 15; tests use less to stay fast). */
  scryptLog2N?: number;
}

export interface Server {
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;
  db: Db;
  /** Copies the WAL into the database file on its own thread. */
  checkpointer: Checkpointer;
  service: ImService;
  outbox: PushOutbox;
  client: PushKitClient;
  hub: Hub;
  certificates: CertificateStore;
  deliveries: DeliveryLog;
  admins: Admins;
  /** "METHOD /api/v1/admin/..." for every administration route. */
  adminRoutes: string[];
  close(): Promise<void>;
}

export async function createServer(config: Config, deps: ServerDeps = {}): Promise<Server> {
  // The private key is never logged: redact anything that might carry it.
  const log = deps.log ?? pino({ level: process.env.LOG_LEVEL ?? 'info', redact: ['*.private_key', 'private_key', '*.authorization', 'req.headers.authorization', 'password', '*.password', '*.pushToken', '*.token'] });
  const now = deps.now ?? Date.now;
  const db = openDb(config.dataDir, { busyTimeoutMs: config.dbBusyTimeoutMs });
  let certificates: CertificateStore;
  try {
    certificates = new CertificateStore(db, config, now);
  } catch (e) {
    db.close();
    throw e;
  }
  const deliveries = new DeliveryLog(db, config.pushLogRetentionDays, now);
  const sessions = new Sessions(db, config.sessionTtlSeconds, config.maxSessionsPerUser, now);
  const passwords = new Passwords(deps.scryptLog2N);
  const external = config.external ? new ExternalTokens(config.external, now) : undefined;
  const hub = new Hub();
  let broker: RedisBroker | undefined;
  if (config.brokerUrl) {
    try {
      broker = await RedisBroker.connect(config.brokerUrl, log);
    } catch (e) {
      db.close();
      throw new ConfigError(`BROKER_URL: cannot connect to Redis (${(e as Error).message.slice(0, 120)})`);
    }
    hub.useBroker(broker);
  }
  const transport = keepAliveTransport();
  const client = new PushKitClient(config.pushApiBase, { attempts: 4, baseDelayMs: 200, maxDelayMs: 5000 }, {
    post: deps.post ?? transport.post,
    sleep: deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    random: Math.random,
    log,
    record: (entry) => {
      if (entry.outcome === 'dryRun') log.info({ certificate: entry.certificate, pushType: entry.pushType, tokens: entry.tokens }, 'push built and recorded (dry run)');
      return deliveries.record(entry).id;
    },
  });
  // Claims in the shared outbox are this process's by host and port: the same after a restart, so a process
  // sends again at once what it crashed while sending; another process's only once their lease ran out.
  const outbox = new PushOutbox(db, certificates, client, deliveries, log, { now, instance: `${os.hostname()}:${config.port}` });
  const checkpointer = new Checkpointer(db, log);
  const service = new ImService(db, hub, outbox, certificates, config, log, now, () => checkpointer.kick());
  const admins = new Admins(db, passwords, config.adminSessionTtlSeconds, now);

  // Per-request log lines would drown the push log; errors are logged by the error handler.
  const app = Fastify({
    loggerInstance: log,
    bodyLimit: config.bodyLimitBytes,
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { ...AJV_OPTIONS }, plugins: [textKeywords] },
  });
  await app.register(websocket, {
    options: { maxPayload: 64 * 1024 },
    // A client's protocol error (bad frame, oversized message) is the client's problem: one line, no stack.
    errorHandler: (error, socket, request) => {
      request.log.warn({ userId: request.userId, code: (error as NodeJS.ErrnoException).code, err: error.message }, 'WebSocket protocol error');
      socket.terminate();
    },
  });
  await app.register(rateLimit, { global: false });

  /** A per-minute limit keyed by `key`; a request over it is a 429 with Retry-After. */
  const perMinute = (max: number, what: string, key: (r: FastifyRequest) => string) => {
    const check = app.createRateLimit({ max, timeWindow: 60_000, keyGenerator: key });
    return async (request: FastifyRequest) => {
      const result = await check(request);
      // isAllowed is true only for an allow-listed key; isExceeded says whether this request is over the limit.
      if (!result.isAllowed && result.isExceeded) throw new ApiError(429, `too many ${what}: at most ${max} per minute`, undefined, result.ttlInSeconds);
    };
  };
  const perUser = (max: number, what: string) => perMinute(max, what, (r) => `${what}:${r.userId}`);
  const limits = {
    requests: perUser(config.rateLimits.requests, 'requests'),
    messages: perUser(config.rateLimits.messages, 'messages'),
    calls: perUser(config.rateLimits.calls, 'call actions'),
    devices: perUser(config.rateLimits.devices, 'device changes'),
    sockets: perUser(config.rateLimits.sockets, 'connections'),
    profile: perUser(config.rateLimits.profile, 'profile changes'),
    signInByAddress: perMinute(config.rateLimits.signInPerAddress, 'sign-in attempts from this address', (r) => `sign-in:${r.ip}`),
    signInByUser: perMinute(config.rateLimits.signInPerUser, 'sign-in attempts for this user',
      (r) => `sign-in-user:${(r.body as { userId?: string }).userId ?? ''}`),
  };

  /** What an error answers, over REST and over the socket alike. */
  const errorAnswer = (error: FastifyError | ApiError | Error, requestLog: FastifyBaseLogger): ErrorAnswer => {
    if (error instanceof ApiError) {
      return { status: error.status, body: error.field ? { error: error.message, field: error.field } : { error: error.message },
        retryAfter: error.retryAfterSeconds };
    }
    if (isStorageUnavailable(error)) {
      // Busy (another process holds the lock) or full: nothing was committed, so the client may retry.
      requestLog.warn({ code: (error as { code?: string }).code, err: error.message }, 'storage unavailable');
      return { status: 503, body: { error: 'the server cannot store this now; retry shortly' }, retryAfter: 1 };
    }
    const fastifyError = error as FastifyError;
    const status = fastifyError.statusCode ?? 500;
    if (fastifyError.validation) {
      return { status: 400, body: validationAnswer(fastifyError.validation, fastifyError.validationContext ?? 'body', error.message) };
    }
    if (status < 500) return { status, body: { error: error.message } };
    requestLog.error({ err: error.message }, 'request failed');
    return { status: 500, body: { error: 'internal error' } };
  };
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const answer = errorAnswer(error, request.log);
    if (answer.retryAfter !== undefined) void reply.header('retry-after', String(answer.retryAfter));
    return reply.code(answer.status).send(answer.body);
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }));

  // Query strings and path parameters are text: a value of plain digits may become the integer its schema
  // asks for, and nothing else is converted ("1e309", "0x10" and " 5" stay strings and fail validation).
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema;
    for (const [part, values] of [[schema?.querystring, request.query], [schema?.params, request.params]] as const) {
      const props = (part as { properties?: Record<string, { type?: string }> } | undefined)?.properties;
      const record = values as Record<string, unknown> | undefined;
      if (!props || !record) continue;
      for (const [name, property] of Object.entries(props)) {
        const value = record[name];
        if (property.type === 'integer' && typeof value === 'string' && DIGITS.test(value)) record[name] = Number(value);
      }
    }
  });

  /** REST takes the bearer header only; the WebSocket upgrade may also pass ?token= (browsers cannot set headers). */
  const authenticate = (allowQueryToken: boolean) => async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    let token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (token === undefined && allowQueryToken) {
      const query = request.query as { token?: unknown } | undefined;
      if (typeof query?.token === 'string') token = query.token;
    }
    const session = token ? await sessions.verify(token) : undefined;
    // A session row exists only for an existing user (foreign key), so the user needs no second look-up.
    if (!session) throw new ApiError(401, 'missing or invalid bearer token');
    request.userId = session.userId;
    request.sessionId = session.sessionId;
  };

  /** A new session; sessions it displaced (over the per-user cap) lose their sockets too. */
  const signIn = async (userId: string): Promise<IssuedSession & { displayName: string; pushProfileId: string }> => {
    const issued = await sessions.issue(userId);
    for (const ended of issued.ended) hub.closeSession(ended, CLOSE_SESSION_ENDED, 'session ended');
    const profile = service.profile(userId);
    return { token: issued.token, userId, expiresAt: issued.expiresAt, displayName: profile.displayName, pushProfileId: profile.pushProfileId };
  };
  // Checked before the body is read: a sign-in method the server has turned off is 403 whatever is sent.
  const passwordMode = async () => {
    if (config.authMode !== 'password') {
      throw new ApiError(403, 'password accounts are turned off on this server (AUTH_MODE=external): sign in with a token from your app server');
    }
  };
  const externalMode = async () => {
    if (!external) throw new ApiError(403, 'this server does not accept app-server tokens (AUTH_MODE=password)');
  };

  // The socket's requests: validated by the REST schemas' twins (FRAME_SCHEMAS), under the same options and keywords.
  const frameAjv = textKeywords(new Ajv({ ...AJV_OPTIONS }));
  const frameValidators = Object.fromEntries(Object.entries(FRAME_SCHEMAS).map(([type, schema]) => [type, frameAjv.compile(schema)])) as
    Record<FrameType, ValidateFunction>;
  /** The id a request is answered by: `clientMsgId` for a send, `requestId` otherwise (when it is a plausible id). */
  const answerKey = (type: FrameType) => (type === 'send' ? 'clientMsgId' : 'requestId');
  const answerFrame = (socket: WebSocket, type: FrameType, frame: Record<string, unknown>, answer: ErrorAnswer | { ack: Record<string, unknown> }) => {
    if (socket.readyState !== socket.OPEN) return;
    const key = answerKey(type);
    const ref = typeof frame[key] === 'string' && (frame[key] as string).length <= 64 ? frame[key] : undefined;
    if ('ack' in answer) socket.send(JSON.stringify({ type: 'ack', [key]: ref, ...answer.ack }));
    else socket.send(JSON.stringify({ type: 'nack', [key]: ref, status: answer.status, ...answer.body,
      ...(answer.retryAfter !== undefined ? { retryAfter: answer.retryAfter } : {}) }));
  };
  /** One request over the socket: the same rules, limits and idempotency as its REST route; answered ack or nack. */
  const handleFrame = async (request: FastifyRequest, socket: WebSocket, type: FrameType, frame: Record<string, unknown>): Promise<number> => {
    try {
      // Counted before anything else, as REST counts a request before validating it: refused frames are not free.
      await limits.requests(request);
      const validate = frameValidators[type];
      if (!validate(frame)) {
        const first = validate.errors?.[0];
        answerFrame(socket, type, frame, { status: 400,
          body: validationAnswer(validate.errors ?? [], 'body', `body${first?.instancePath ?? ''} ${first?.message ?? 'is invalid'}`) });
        return 400;
      }
      if (type === 'send') {
        await limits.messages(request);
        const { type: _type, ...input } = frame as unknown as SendInput & { type: string };
        const result = await service.sendMessage(request.userId, input, socket);
        answerFrame(socket, type, frame, { ack: { message: result.message, created: result.created } });
      } else if (type === 'read') {
        const f = frame as { conversationId: string; upToSeq: number };
        answerFrame(socket, type, frame, { ack: { result: service.markRead(request.userId, f.conversationId, f.upToSeq) } });
      } else {
        await limits.calls(request);
        const f = frame as { callId: string; action: 'accept' | 'reject' | 'cancel' | 'hangup' };
        const call = f.action === 'hangup' ? service.hangup(request.userId, f.callId) : service.answer(request.userId, f.callId, f.action);
        answerFrame(socket, type, frame, { ack: { result: call } });
      }
      return 200;
    } catch (e) {
      const answer = errorAnswer(e as Error, request.log);
      answerFrame(socket, type, frame, answer);
      return answer.status;
    }
  };

  app.get('/healthz', async () => ({ ok: true }));

  const adminRoutes = await registerAdminApi(app, { config, admins, certificates, deliveries, service, client, now,
    directory: new Directory(db, hub, service, certificates), perMinute });

  await app.register(async (api) => {
    api.post('/accounts', {
      onRequest: passwordMode,
      preHandler: limits.signInByAddress,
      schema: { body: { type: 'object', additionalProperties: false, required: ['userId', 'password', 'displayName'],
        properties: { userId: id, password, displayName } } },
    }, async (request, reply) => {
      const body = request.body as { userId: string; password: string; displayName: string };
      service.createUser(body.userId, body.displayName.trim(), await passwords.hash(body.password));
      return reply.code(201).send(await signIn(body.userId));
    });

    api.post('/session', {
      onRequest: passwordMode,
      preHandler: [limits.signInByAddress, limits.signInByUser],
      schema: { body: { type: 'object', additionalProperties: false, required: ['userId', 'password'],
        properties: { userId: id, password: { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH } } } },
    }, async (request) => {
      const body = request.body as { userId: string; password: string };
      // One answer for an unknown user and a wrong password, and the same work for both (see Passwords).
      if (!await passwords.verify(body.password, service.passwordHash(body.userId))) {
        throw new ApiError(401, 'wrong user id or password');
      }
      return signIn(body.userId);
    });

    api.post('/session/external', {
      onRequest: externalMode,
      preHandler: limits.signInByAddress,
      schema: { body: { type: 'object', additionalProperties: false, required: ['token'],
        properties: { token: { type: 'string', minLength: 1, maxLength: 8192 } } } },
    }, async (request) => {
      let identity;
      try {
        identity = await (external as ExternalTokens).verify((request.body as { token: string }).token);
      } catch (e) {
        if (e instanceof ExternalTokenError) throw new ApiError(401, `the app-server token was refused: ${e.message}`);
        throw e;
      }
      service.ensureExternalUser(identity.userId, identity.displayName);
      return signIn(identity.userId);
    });

    await api.register(async (authed) => {
      authed.addHook('onRequest', authenticate(false));
      authed.addHook('preHandler', limits.requests);

      authed.delete('/session', async (request, reply) => {
        sessions.revoke(request.sessionId);
        hub.closeSession(request.sessionId, CLOSE_SESSION_ENDED, 'logged out');
        return reply.code(204).send();
      });

      authed.get('/me', async (request) => service.profile(request.userId));

      // Others see the name in chat pages and in the title of notifications: changes are limited on their own.
      authed.put('/me', {
        preHandler: limits.profile,
        schema: { body: { type: 'object', additionalProperties: false, required: ['displayName'], properties: { displayName } } },
      }, async (request) => service.rename(request.userId, (request.body as { displayName: string }).displayName.trim()));

      authed.put('/devices/:deviceId', {
        preHandler: limits.devices,
        schema: { params: { type: 'object', properties: { deviceId: id } },
          body: { type: 'object', additionalProperties: false, required: ['pushToken', 'clientId'],
            properties: { pushToken: { type: 'string', pattern: '^[A-Za-z0-9_:.+/=-]{16,512}$' }, clientId: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,128}$' } } } },
      }, async (request, reply) => {
        const { deviceId } = request.params as { deviceId: string };
        const body = request.body as { pushToken: string; clientId: string };
        service.bindDevice(request.userId, deviceId, body.pushToken, body.clientId);
        return reply.code(204).send();
      });

      authed.delete('/devices/:deviceId', {
        preHandler: limits.devices,
        schema: { params: { type: 'object', properties: { deviceId: id } } },
      }, async (request, reply) => {
        const { deviceId } = request.params as { deviceId: string };
        if (!service.unbindDevice(request.userId, deviceId)) throw new ApiError(404, 'no such device');
        return reply.code(204).send();
      });

      authed.post('/messages', {
        preHandler: limits.messages,
        schema: { body: MESSAGE_BODY },
      }, async (request, reply) => {
        const result = await service.sendMessage(request.userId, request.body as SendInput);
        return reply.code(result.created ? 201 : 200).send(result.message);
      });

      authed.get('/conversations', async (request) => ({ conversations: service.listConversations(request.userId) }));

      // One conversation in the list's shape, for a client that does not have it (opened from a notification).
      authed.get('/conversations/:id', { schema: { params: { type: 'object', properties: { id } } } },
        async (request) => service.getConversation(request.userId, (request.params as { id: string }).id));

      // Creates conversations (and a row in the other user's list): limited like sending a message.
      authed.post('/conversations/direct', {
        preHandler: limits.messages,
        schema: { body: { type: 'object', additionalProperties: false, required: ['userId'], properties: { userId: id } } },
      }, async (request, reply) => {
        const { conversation, created } = service.openDirect(request.userId, (request.body as { userId: string }).userId);
        return reply.code(created ? 201 : 200).send(conversation);
      });

      authed.delete('/conversations/:id/messages/:seq', {
        preHandler: limits.messages,
        schema: { params: { type: 'object', properties: { id, seq: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } } } },
      }, async (request, reply) => {
        const { id: conversationId, seq } = request.params as { id: string; seq: number };
        service.deleteForMe(request.userId, conversationId, seq);
        return reply.code(204).send();
      });

      authed.get('/conversations/:id/messages', {
        schema: { params: { type: 'object', properties: { id } },
          querystring: { type: 'object', additionalProperties: false,
            // `before` pages back through history; `after` catches up after a reconnect. Not both.
            not: { required: ['before', 'after'] },
            properties: {
              before: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
              after: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
              limit: { type: 'integer', minimum: 1, maximum: 100, default: 30 } } } },
      }, async (request) => {
        const { id: conversationId } = request.params as { id: string };
        const q = request.query as { before?: number; after?: number; limit: number };
        if (q.after !== undefined) return service.messagesAfter(request.userId, conversationId, q.after, q.limit);
        return service.messages(request.userId, conversationId, q.before, q.limit);
      });

      authed.post('/conversations/:id/read', {
        schema: { params: { type: 'object', properties: { id } },
          body: { type: 'object', additionalProperties: false, required: ['upToSeq'], properties: { upToSeq } } },
      }, async (request) => {
        const { id: conversationId } = request.params as { id: string };
        return service.markRead(request.userId, conversationId, (request.body as { upToSeq: number }).upToSeq);
      });

      authed.put('/conversations/:id/settings', {
        schema: { params: { type: 'object', properties: { id } },
          body: { type: 'object', additionalProperties: false, minProperties: 1,
            properties: { pinned: { type: 'boolean' }, muted: { type: 'boolean' }, hidden: { type: 'boolean' } } } },
      }, async (request) => {
        const { id: conversationId } = request.params as { id: string };
        return service.putConversationSettings(request.userId, conversationId, request.body as { pinned?: boolean; muted?: boolean; hidden?: boolean });
      });

      authed.get('/unread', async (request) => service.unread(request.userId));

      authed.post('/groups', {
        preHandler: limits.messages,
        schema: { body: { type: 'object', additionalProperties: false, required: ['name', 'members'],
          properties: { name: text(64), members: { type: 'array', items: id, minItems: 1, maxItems: 20000, uniqueItems: true } } } },
      }, async (request, reply) => {
        const body = request.body as { name: string; members: string[] };
        return reply.code(201).send(service.createGroup(request.userId, body.name.trim(), body.members));
      });

      authed.post('/calls', {
        preHandler: limits.calls,
        schema: { body: { type: 'object', additionalProperties: false, required: ['to', 'media'],
          properties: { to: id, media: { type: 'string', enum: ['audio', 'video'] } } } },
      }, async (request, reply) => {
        const body = request.body as { to: string; media: 'audio' | 'video' };
        const call = service.invite(request.userId, body.to, body.media);
        return reply.code(201).send(call);
      });

      // The user's call history, newest first; `before` is the createdAt of the last call of the previous page.
      authed.get('/calls', {
        schema: { querystring: { type: 'object', additionalProperties: false, properties: {
          before: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 30 } } } },
      }, async (request) => {
        const q = request.query as { before?: number; limit: number };
        return service.callHistory(request.userId, q.before, q.limit);
      });

      // Static routes: find-my-way matches them before /calls/:id (no call id is "unseen").
      authed.get('/calls/unseen', async (request) => ({ unseenMissed: service.unseenMissedCalls(request.userId) }));

      // A read mark, not a call action: limited like POST /conversations/:id/read (every request), not as calls.
      authed.post('/calls/seen', {
        schema: { body: { type: 'object', additionalProperties: false, required: ['upTo'],
          properties: { upTo: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } } } },
      }, async (request) => service.markCallsSeen(request.userId, (request.body as { upTo: number }).upTo));

      authed.get('/calls/:id', { schema: { params: { type: 'object', properties: { id } } } },
        async (request) => service.getCall(request.userId, (request.params as { id: string }).id));

      for (const action of ['accept', 'reject', 'cancel'] as const) {
        authed.post(`/calls/:id/${action}`, {
          preHandler: limits.calls,
          schema: { params: { type: 'object', properties: { id } } },
        }, async (request) => service.answer(request.userId, (request.params as { id: string }).id, action));
      }

      authed.post('/calls/:id/hangup', {
        preHandler: limits.calls,
        schema: { params: { type: 'object', properties: { id } } },
      }, async (request) => service.hangup(request.userId, (request.params as { id: string }).id));

      authed.get('/settings', async (request) => service.getSettings(request.userId));
      authed.put('/settings', {
        schema: { body: { type: 'object', additionalProperties: false, minProperties: 1, properties: {
          dnd: { type: 'boolean' }, dndStart: minuteOfDay, dndEnd: minuteOfDay,
          // The length is checked before the zone, so a long string never reaches Intl.
          timeZone: { type: 'string', minLength: 1, maxLength: MAX_TIME_ZONE_LENGTH, timeZone: true },
          preview: { type: 'boolean' }, multiDevicePolicy: { type: 'string', enum: ['allOffline', 'anyOffline'] } } } },
      }, async (request) => service.putSettings(request.userId, request.body as object));
    });

    // The WebSocket: authenticated like REST, but the token may also come as ?token= on the upgrade.
    await api.register(async (live) => {
      live.addHook('onRequest', authenticate(true));
      live.route({
        method: 'GET',
        url: '/ws',
        preHandler: limits.sockets,
        schema: { querystring: { type: 'object', additionalProperties: false, required: ['deviceId'],
          properties: { deviceId: id, token: { type: 'string', maxLength: 8192 } } } },
        // A plain GET (no Upgrade header) gets a JSON answer like every other error.
        handler: async (_request, reply) => reply.code(426).header('upgrade', 'websocket')
          .send({ error: 'this endpoint needs a WebSocket upgrade (Connection: Upgrade, Upgrade: websocket)' }),
        wsHandler: (socket, request) => {
          const userId = request.userId;
          const { deviceId } = request.query as { deviceId: string };
          const admitted = hub.add(userId, deviceId, request.sessionId, socket,
            { maxDevices: config.maxDevicesOnline, maxSocketsPerDevice: config.maxSocketsPerDevice });
          if (admitted === 'tooManyDevices') {
            request.log.info({ userId }, 'WebSocket refused: too many devices online');
            socket.close(CLOSE_TOO_MANY_DEVICES, `at most ${config.maxDevicesOnline} devices online`);
            return;
          }
          for (const replaced of admitted.replaced) replaced.close(CLOSE_REPLACED, 'replaced by a newer connection from this device');
          service.deviceSeen(userId, deviceId);
          if (admitted.cameOnline) {
            for (const contact of service.contacts(userId)) hub.send(contact, { type: 'presence', userId, online: true });
          }
          socket.send(JSON.stringify({ type: 'hello', userId, deviceId }));
          let windowStart = now();
          let frames = 0;
          let inFlight = 0;
          let limited = 0;
          let limitedSince = now();
          // A client that goes on after 429s is flooding: it loses this socket, as one flooding pings does.
          const noteLimited = () => {
            if (now() - limitedSince >= FRAME_WINDOW_MS) {
              limitedSince = now();
              limited = 0;
            }
            if (++limited > LIMITED_PER_WINDOW) {
              socket.close(CLOSE_TOO_MANY_FRAMES, `requests refused with 429 more than ${LIMITED_PER_WINDOW} times in ${FRAME_WINDOW_MS / 1000} s`);
            }
          };
          socket.on('message', (data, isBinary) => {
            let frame: { type?: unknown } | null = null;
            if (!isBinary) {
              try {
                frame = JSON.parse(data.toString()) as { type?: unknown } | null;
              } catch {
                frame = null;
              }
            }
            const type = frame !== null && typeof frame === 'object' ? frame.type : undefined;
            if (typeof type === 'string' && Object.hasOwn(FRAME_SCHEMAS, type)) {
              // Requests are limited like their REST twins (per user, shared with REST) and by how many wait.
              if (inFlight >= MAX_REQUESTS_IN_FLIGHT) {
                answerFrame(socket, type as FrameType, frame as Record<string, unknown>, {
                  status: 429, body: { error: `at most ${MAX_REQUESTS_IN_FLIGHT} requests in flight on one connection` }, retryAfter: 1 });
                noteLimited();
                return;
              }
              inFlight += 1;
              void handleFrame(request, socket, type as FrameType, frame as Record<string, unknown>).then((status) => {
                inFlight -= 1;
                if (status === 429) noteLimited();
              });
              return;
            }
            if (now() - windowStart >= FRAME_WINDOW_MS) {
              windowStart = now();
              frames = 0;
            }
            if (++frames > FRAMES_PER_WINDOW) {
              socket.close(CLOSE_TOO_MANY_FRAMES, `at most ${FRAMES_PER_WINDOW} pings per ${FRAME_WINDOW_MS / 1000} s`);
              return;
            }
            // Anything but a request or a ping is a protocol error that closes this socket alone.
            if (type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
            else socket.close(1008, 'malformed frame');
          });
          socket.on('close', () => {
            service.deviceSeen(userId, deviceId);
            if (hub.remove(userId, deviceId, socket)) {
              for (const contact of service.contacts(userId)) hub.send(contact, { type: 'presence', userId, online: false });
            }
          });
        },
      });
    });
  }, { prefix: '/api/v1' });
  await registerConsolePages(app);

  hub.startHeartbeat(config.heartbeatMs);
  outbox.start();
  deliveries.start();
  service.startCallSweeper();
  // Large-group pushes a crash left half-written are finished now.
  service.kickFanout();
  return {
    app, db, checkpointer, service, outbox, client, hub, certificates, deliveries, admins, adminRoutes,
    async close() {
      service.stop();
      hub.close();
      await app.close();
      await outbox.stop();
      await transport.close();
      deliveries.stop();
      await broker?.close();
      await checkpointer.stop();
      db.close();
    },
  };
}
