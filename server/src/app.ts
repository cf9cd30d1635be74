// The HTTP and WebSocket API (fastify): schemas, authentication, rate limits and error answers.
import Fastify, { LogController } from 'fastify';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import websocket from '@fastify/websocket';
import rateLimit from '@fastify/rate-limit';
import type { Logger } from 'pino';
import pino from 'pino';
import type { Config } from './config.js';
import { openDb } from './db.js';
import type { Db } from './db.js';
import { Sessions } from './auth.js';
import { Hub } from './hub.js';
import { ApiError, ImService } from './service.js';
import { PushKitClient } from './push/client.js';
import { PushOutbox } from './push/outbox.js';

declare module 'fastify' {
  interface FastifyRequest {
    userId: string;
  }
}

const ID = '^[A-Za-z0-9_-]{1,64}$';
const id = { type: 'string', pattern: ID } as const;
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max } as const);

export interface ServerDeps {
  fetch?: typeof fetch;
  now?: () => number;
  log?: Logger;
  /** Test hook: retry sleeps of the Push Kit client (default: real timers). */
  sleep?: (ms: number) => Promise<void>;
}

export interface Server {
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;
  db: Db;
  service: ImService;
  outbox: PushOutbox;
  client: PushKitClient;
  hub: Hub;
  close(): Promise<void>;
}

export async function createServer(config: Config, deps: ServerDeps = {}): Promise<Server> {
  // The private key is never logged: redact anything that might carry it.
  const log = deps.log ?? pino({ level: process.env.LOG_LEVEL ?? 'info', redact: ['*.private_key', 'private_key', '*.authorization', 'req.headers.authorization'] });
  const now = deps.now ?? Date.now;
  const db = openDb(config.dataDir);
  const sessions = new Sessions(db, config.sessionTtlSeconds, now);
  const hub = new Hub();
  const client = new PushKitClient(config.pushApiBase, { attempts: 4, baseDelayMs: 200, maxDelayMs: 5000 }, {
    fetch: deps.fetch ?? fetch,
    sleep: deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    random: Math.random,
    log,
    record: (mode, cert, pushType, body, result) => {
      const tokens = (body.target as { token: string[] }).token.length;
      db.prepare('INSERT INTO push_log (mode, client_id, push_type, tokens, body, result, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(mode, cert.name, pushType, tokens, JSON.stringify({ ...body, target: { token: `[${tokens} tokens]` } }), result, now());
      if (mode === 'dry-run') log.info({ certificate: cert.name, pushType, tokens }, 'push built and recorded (dry run)');
    },
  });
  const outbox = new PushOutbox(db, config, client, log, now);
  const service = new ImService(db, hub, outbox, config, log, now);

  // Per-request log lines would drown the push log; errors are logged by the error handler.
  const app = Fastify({
    loggerInstance: log,
    bodyLimit: config.bodyLimitBytes,
    logController: new LogController({ disableRequestLogging: true }),
    // Unknown fields are an error (a client's typo must not pass silently), not stripped as by default.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
  });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(rateLimit, { global: false, hook: 'preHandler' });

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) return reply.code(error.status).send({ error: error.message });
    const status = error.statusCode ?? 500;
    if (error.validation) {
      return reply.code(400).send({ error: error.message, field: `${error.validationContext}${error.validation[0]?.instancePath ?? ''}` });
    }
    if (status < 500) return reply.code(status).send({ error: error.message });
    request.log.error({ err: error.message }, 'request failed');
    return reply.code(500).send({ error: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }));

  const bearer = (request: FastifyRequest): string | undefined => {
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) return header.slice(7);
    const query = request.query as { token?: unknown } | undefined;
    return typeof query?.token === 'string' ? query.token : undefined;
  };
  const authenticate = async (request: FastifyRequest) => {
    const token = bearer(request);
    const userId = token ? await sessions.verify(token) : undefined;
    if (!userId || !service.userExists(userId)) throw new ApiError(401, 'missing or invalid bearer token');
    request.userId = userId;
  };
  const limit = (max: number) => ({ rateLimit: { max, timeWindow: '1 minute', keyGenerator: (r: FastifyRequest) => r.userId } });

  app.get('/healthz', async () => ({ ok: true }));

  await app.register(async (api) => {
    api.post('/session', {
      schema: { body: { type: 'object', additionalProperties: false, required: ['userId', 'displayName'],
        properties: { userId: id, displayName: text(64) } } },
    }, async (request) => {
      const body = request.body as { userId: string; displayName: string };
      service.login(body.userId, body.displayName.trim());
      return { token: await sessions.issue(body.userId), userId: body.userId };
    });

    await api.register(async (authed) => {
      authed.addHook('onRequest', authenticate);

      authed.put('/devices/:deviceId', {
        config: limit(config.rateLimits.devices),
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
        config: limit(config.rateLimits.devices),
        schema: { params: { type: 'object', properties: { deviceId: id } } },
      }, async (request, reply) => {
        const { deviceId } = request.params as { deviceId: string };
        if (!service.unbindDevice(request.userId, deviceId)) throw new ApiError(404, 'no such device');
        return reply.code(204).send();
      });

      authed.post('/messages', {
        config: limit(config.rateLimits.messages),
        schema: { body: { type: 'object', additionalProperties: false, required: ['text', 'clientMsgId'],
          oneOf: [{ required: ['to'] }, { required: ['groupId'] }],
          properties: { to: id, groupId: id, text: text(4000), clientMsgId: id } } },
      }, async (request, reply) => {
        const result = service.sendMessage(request.userId, request.body as { to?: string; groupId?: string; text: string; clientMsgId: string });
        return reply.code(result.created ? 201 : 200).send(result.message);
      });

      authed.get('/conversations', async (request) => ({ conversations: service.listConversations(request.userId) }));

      authed.get('/conversations/:id/messages', {
        schema: { params: { type: 'object', properties: { id } },
          querystring: { type: 'object', additionalProperties: false, properties: {
            before: { type: 'integer', minimum: 1 }, limit: { type: 'integer', minimum: 1, maximum: 100, default: 30 } } } },
      }, async (request) => {
        const { id: conversationId } = request.params as { id: string };
        const q = request.query as { before?: number; limit: number };
        return service.messages(request.userId, conversationId, q.before, q.limit);
      });

      authed.post('/conversations/:id/read', {
        schema: { params: { type: 'object', properties: { id } },
          body: { type: 'object', additionalProperties: false, required: ['upToSeq'], properties: { upToSeq: { type: 'integer', minimum: 0 } } } },
      }, async (request) => {
        const { id: conversationId } = request.params as { id: string };
        return service.markRead(request.userId, conversationId, (request.body as { upToSeq: number }).upToSeq);
      });

      authed.get('/unread', async (request) => service.unread(request.userId));

      authed.post('/groups', {
        config: limit(config.rateLimits.messages),
        schema: { body: { type: 'object', additionalProperties: false, required: ['name', 'members'],
          properties: { name: text(64), members: { type: 'array', items: id, minItems: 1, maxItems: 20000, uniqueItems: true } } } },
      }, async (request, reply) => {
        const body = request.body as { name: string; members: string[] };
        return reply.code(201).send(service.createGroup(request.userId, body.name.trim(), body.members));
      });

      authed.post('/calls', {
        config: limit(config.rateLimits.calls),
        schema: { body: { type: 'object', additionalProperties: false, required: ['to', 'media'],
          properties: { to: id, media: { type: 'string', enum: ['audio', 'video'] } } } },
      }, async (request, reply) => {
        const body = request.body as { to: string; media: 'audio' | 'video' };
        const call = service.invite(request.userId, body.to, body.media);
        return reply.code(201).send(call);
      });

      authed.get('/calls/:id', { schema: { params: { type: 'object', properties: { id } } } },
        async (request) => service.getCall(request.userId, (request.params as { id: string }).id));

      for (const action of ['accept', 'reject', 'cancel'] as const) {
        authed.post(`/calls/:id/${action}`, {
          config: limit(config.rateLimits.calls),
          schema: { params: { type: 'object', properties: { id } } },
        }, async (request) => service.answer(request.userId, (request.params as { id: string }).id, action));
      }

      authed.get('/settings', async (request) => service.getSettings(request.userId));
      authed.put('/settings', {
        schema: { body: { type: 'object', additionalProperties: false, minProperties: 1, properties: {
          dnd: { type: 'boolean' }, preview: { type: 'boolean' }, multiDevicePolicy: { type: 'string', enum: ['allOffline', 'anyOffline'] } } } },
      }, async (request) => service.putSettings(request.userId, request.body as object));

      authed.get('/ws', {
        websocket: true,
        schema: { querystring: { type: 'object', required: ['deviceId'], properties: { deviceId: id, token: { type: 'string' } } } },
      }, (socket, request) => {
        const userId = request.userId;
        const { deviceId } = request.query as { deviceId: string };
        if (hub.add(userId, deviceId, socket)) {
          for (const contact of service.contacts(userId)) hub.send(contact, { type: 'presence', userId, online: true });
        }
        socket.send(JSON.stringify({ type: 'hello', userId, deviceId }));
        socket.on('message', (data, isBinary) => {
          // Clients may only ping; anything else is a protocol error that closes this socket alone.
          let ok = false;
          if (!isBinary) {
            try {
              ok = (JSON.parse(data.toString()) as { type?: unknown }).type === 'ping';
            } catch {
              ok = false;
            }
          }
          if (ok) socket.send(JSON.stringify({ type: 'pong' }));
          else socket.close(1008, 'malformed frame');
        });
        socket.on('close', () => {
          if (hub.remove(userId, deviceId, socket)) {
            for (const contact of service.contacts(userId)) hub.send(contact, { type: 'presence', userId, online: false });
          }
        });
      });
    });
  }, { prefix: '/api/v1' });

  hub.startHeartbeat(config.heartbeatMs);
  outbox.start();
  service.startCallSweeper();
  return {
    app, db, service, outbox, client, hub,
    async close() {
      service.stop();
      hub.close();
      await app.close();
      await outbox.stop();
      db.close();
    },
  };
}
