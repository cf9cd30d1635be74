// Live delivery across server processes. One process needs no broker: its Hub has every socket. Behind a
// load balancer a user's sockets may be on any process, so each process publishes what it delivers and
// delivers what the others publish to the sockets it holds, and tells the others which devices are online
// on it (the push decision needs everyone's view: src/hub.ts, docs/scaling.md). The default is no broker;
// BROKER_URL=redis://... uses Redis pub/sub (Debian's redis-server, or any Redis 6+).
import crypto from 'node:crypto';
import { createClient } from '@redis/client';
import type { Logger } from 'pino';
import type { LiveEvent } from './hub.js';

/** What one process tells the others. */
export type BrokerMessage =
  /** Deliver `event` to these users' sockets. */
  | { kind: 'event'; userIds: string[]; event: LiveEvent }
  /** A session ended (logout, the per-user cap): close its sockets with this code. */
  | { kind: 'closeSession'; sessionId: string; code: number; reason: string }
  /** A device's first socket on process `node` opened (`online`), or its last one there closed. */
  | { kind: 'presence'; node: string; userId: string; deviceId: string; online: boolean }
  /** Every device online on process `node`, by user: sent periodically and when asked; it replaces the last. */
  | { kind: 'presenceSnapshot'; node: string; users: [string, string[]][] }
  /** A process that just started asks the others for their snapshots. */
  | { kind: 'presenceRequest'; node: string };

export interface Broker {
  /** This process among the others (presence is kept per process). */
  readonly id: string;
  /** To every other process (never back to this one). */
  publish(message: BrokerMessage): void;
  /** Messages from the other processes. */
  onMessage(handler: (message: BrokerMessage) => void): void;
  close(): Promise<void>;
}

const CHANNEL = 'pushuikit:live';

/**
 * Redis pub/sub: one connection publishes, a second subscribes (a subscribed Redis connection can do
 * nothing else). Fire-and-forget like the sockets it feeds: a message published while Redis is away is
 * lost for the live path only, as a dropped socket is; the store and the pushes do not depend on it, and
 * clients catch up after a reconnect.
 */
/** A connection made by createClient({ url }) with no modules. */
type RedisConnection = ReturnType<typeof connectionTo>;
const connectionTo = (url: string) => createClient({ url });

export class RedisBroker implements Broker {
  /** Tells this process's own messages apart when Redis echoes them, and names it in presence. */
  readonly id = crypto.randomBytes(9).toString('base64url');
  private handler: (message: BrokerMessage) => void = () => {};

  private constructor(private readonly publisher: RedisConnection, private readonly subscriber: RedisConnection,
    private readonly log: Logger) {}

  static async connect(url: string, log: Logger): Promise<RedisBroker> {
    const publisher = connectionTo(url);
    const subscriber = publisher.duplicate();
    // The URL may carry a password: log the failure, never the URL.
    for (const client of [publisher, subscriber]) client.on('error', (e: Error) => log.warn({ err: e.message }, 'broker connection error'));
    await publisher.connect();
    await subscriber.connect();
    const broker = new RedisBroker(publisher, subscriber, log);
    await subscriber.subscribe(CHANNEL, (raw: string) => broker.received(raw));
    return broker;
  }

  publish(message: BrokerMessage): void {
    this.publisher.publish(CHANNEL, JSON.stringify({ origin: this.id, message })).catch((e: Error) => {
      this.log.warn({ err: e.message, kind: message.kind }, 'broker publish failed: other processes miss this live event');
    });
  }

  onMessage(handler: (message: BrokerMessage) => void): void {
    this.handler = handler;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.subscriber.quit(), this.publisher.quit()]);
  }

  private received(raw: string): void {
    let parsed: { origin?: unknown; message?: BrokerMessage };
    try {
      parsed = JSON.parse(raw) as { origin?: unknown; message?: BrokerMessage };
    } catch {
      this.log.warn('broker: a message that is not JSON was ignored');
      return;
    }
    if (parsed.origin === this.id || parsed.message === undefined) return;
    this.handler(parsed.message);
  }
}
