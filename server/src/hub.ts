// Live connections: a device with an open WebSocket is online. Heartbeats find the dead ones.
import type { WebSocket } from 'ws';
import type { Broker, BrokerMessage } from './broker.js';

export interface LiveEvent {
  type: string;
  [key: string]: unknown;
}

export interface Admission {
  /** This socket made the user online. */
  cameOnline: boolean;
  /** Older sockets of the same device over the per-device cap: the caller closes them. */
  replaced: WebSocket[];
}

export interface SocketLimits {
  maxDevices: number;
  maxSocketsPerDevice: number;
}

export class Hub {
  private readonly byUser = new Map<string, Map<string, Set<WebSocket>>>();
  private readonly bySession = new Map<string, Set<WebSocket>>();
  private readonly sessionOf = new WeakMap<WebSocket, string>();
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private timer: NodeJS.Timeout | undefined;
  private broker: Broker | undefined;

  /**
   * Several processes: what this hub delivers goes to the others too, and what they publish is delivered
   * to this hub's sockets. (Who is online is still this process's view: see docs/scaling.md.)
   */
  useBroker(broker: Broker): void {
    this.broker = broker;
    broker.onMessage((message: BrokerMessage) => {
      if (message.kind === 'event') this.deliver(message.userIds, message.event);
      else this.closeLocalSession(message.sessionId, message.code, message.reason);
    });
  }

  /**
   * Admits a socket of `sessionId`, unless the user already has `maxDevices` other devices online. A
   * device over its own cap keeps its newest sockets: a phone that reconnects after a network change must
   * not be locked out by its own half-open socket, which the heartbeat would find only later.
   */
  add(userId: string, deviceId: string, sessionId: string, socket: WebSocket, limits: SocketLimits): Admission | 'tooManyDevices' {
    const devices = this.byUser.get(userId) ?? new Map<string, Set<WebSocket>>();
    const wasOnline = devices.size > 0;
    const sockets = devices.get(deviceId) ?? new Set<WebSocket>();
    if (sockets.size === 0 && devices.size >= limits.maxDevices) return 'tooManyDevices';
    sockets.add(socket);
    devices.set(deviceId, sockets);
    this.byUser.set(userId, devices);
    const ofSession = this.bySession.get(sessionId) ?? new Set<WebSocket>();
    ofSession.add(socket);
    this.bySession.set(sessionId, ofSession);
    this.sessionOf.set(socket, sessionId);
    this.alive.set(socket, true);
    socket.on('pong', () => this.alive.set(socket, true));
    // A Set iterates in insertion order: the first ones are the oldest.
    const replaced = [...sockets].slice(0, Math.max(0, sockets.size - limits.maxSocketsPerDevice));
    return { cameOnline: !wasOnline, replaced };
  }

  /** Closes every socket opened with this session (logout, or a session ended by the per-user cap), in every process. */
  closeSession(sessionId: string, code: number, reason: string): void {
    this.closeLocalSession(sessionId, code, reason);
    this.broker?.publish({ kind: 'closeSession', sessionId, code, reason });
  }

  private closeLocalSession(sessionId: string, code: number, reason: string): void {
    for (const socket of this.bySession.get(sessionId) ?? []) socket.close(code, reason);
  }

  /** Removes a socket; true when this made the user offline. */
  remove(userId: string, deviceId: string, socket: WebSocket): boolean {
    const devices = this.byUser.get(userId);
    const sockets = devices?.get(deviceId);
    const sessionId = this.sessionOf.get(socket);
    const ofSession = sessionId === undefined ? undefined : this.bySession.get(sessionId);
    if (ofSession?.delete(socket) && ofSession.size === 0) this.bySession.delete(sessionId as string);
    if (!devices || !sockets || !sockets.delete(socket)) return false;
    if (sockets.size === 0) devices.delete(deviceId);
    if (devices.size === 0) {
      this.byUser.delete(userId);
      return true;
    }
    return false;
  }

  onlineDevices(userId: string): Set<string> {
    return new Set(this.byUser.get(userId)?.keys() ?? []);
  }

  isOnline(userId: string): boolean {
    return this.byUser.has(userId);
  }

  send(userId: string, event: LiveEvent): void {
    this.sendToUsers([userId], event);
  }

  /**
   * One event to many users (a group's members): serialised once, written to the online ones only. An
   * offline user costs one map look-up; a 10,000-member group with 50 online costs 50 socket writes.
   * `except`: the socket that sent it, which gets its ack instead.
   */
  sendToUsers(userIds: Iterable<string>, event: LiveEvent, except?: WebSocket): void {
    if (this.broker) {
      const all = [...userIds];
      this.broker.publish({ kind: 'event', userIds: all, event });
      this.deliver(all, event, except);
    } else {
      this.deliver(userIds, event, except);
    }
  }

  /** To this process's sockets of these users. */
  private deliver(userIds: Iterable<string>, event: LiveEvent, except?: WebSocket): void {
    let data: string | undefined;
    for (const userId of userIds) {
      const devices = this.byUser.get(userId);
      if (!devices) continue;
      data ??= JSON.stringify(event);
      for (const sockets of devices.values()) {
        for (const socket of sockets) if (socket !== except && socket.readyState === socket.OPEN) socket.send(data);
      }
    }
  }

  /** Pings every socket each period; one that did not answer the previous ping is terminated. */
  startHeartbeat(periodMs: number): void {
    this.timer = setInterval(() => {
      for (const devices of this.byUser.values()) {
        for (const sockets of devices.values()) {
          for (const socket of sockets) {
            if (this.alive.get(socket) === false) {
              socket.terminate();
              continue;
            }
            this.alive.set(socket, false);
            socket.ping();
          }
        }
      }
    }, periodMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    for (const devices of this.byUser.values()) {
      for (const sockets of devices.values()) for (const socket of sockets) socket.terminate();
    }
    this.byUser.clear();
    this.bySession.clear();
  }
}
