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

/** How often each process tells the others every device online on it (with several processes). */
export const PRESENCE_SNAPSHOT_MS = 10_000;
/** A process not heard from for this long (crashed, cut off) no longer counts anyone as online. */
export const PRESENCE_TTL_MS = 3 * PRESENCE_SNAPSHOT_MS;

/** What another process last said is online on it. */
interface RemotePresence {
  heardAt: number;
  /** userId -> device ids */
  users: Map<string, Set<string>>;
}

export class Hub {
  private readonly byUser = new Map<string, Map<string, Set<WebSocket>>>();
  /** Devices online on the other processes, by process (empty without a broker). */
  private readonly remote = new Map<string, RemotePresence>();
  private snapshotTimer: NodeJS.Timeout | undefined;
  private readonly bySession = new Map<string, Set<WebSocket>>();
  private readonly sessionOf = new WeakMap<WebSocket, string>();
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private timer: NodeJS.Timeout | undefined;
  private broker: Broker | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Several processes: what this hub delivers goes to the others too, and what they publish is delivered
   * to this hub's sockets. Presence is shared the same way: each process announces its devices' first and
   * last sockets and, every PRESENCE_SNAPSHOT_MS, all of them; a device online on any process counts as
   * online here (no push under 'allOffline'). A process silent for PRESENCE_TTL_MS counts for nobody.
   */
  useBroker(broker: Broker): void {
    this.broker = broker;
    broker.onMessage((message: BrokerMessage) => {
      switch (message.kind) {
        case 'event':
          this.deliver(message.userIds, message.event);
          break;
        case 'closeSession':
          this.closeLocalSession(message.sessionId, message.code, message.reason);
          break;
        case 'presence':
          this.heardPresence(message.node, message.userId, message.deviceId, message.online);
          break;
        case 'presenceSnapshot':
          this.remote.set(message.node, { heardAt: this.now(), users: new Map(message.users.map(([userId, devices]) => [userId, new Set(devices)])) });
          break;
        case 'presenceRequest':
          this.publishSnapshot();
          break;
      }
    });
    broker.publish({ kind: 'presenceRequest', node: broker.id });
    this.snapshotTimer = setInterval(() => this.publishSnapshot(), PRESENCE_SNAPSHOT_MS);
    this.snapshotTimer.unref();
  }

  private publishSnapshot(): void {
    if (!this.broker) return;
    const users = [...this.byUser].map(([userId, devices]): [string, string[]] => [userId, [...devices.keys()]]);
    this.broker.publish({ kind: 'presenceSnapshot', node: this.broker.id, users });
  }

  private heardPresence(node: string, userId: string, deviceId: string, online: boolean): void {
    const entry = this.remote.get(node) ?? { heardAt: 0, users: new Map<string, Set<string>>() };
    entry.heardAt = this.now();
    this.remote.set(node, entry);
    const devices = entry.users.get(userId) ?? new Set<string>();
    if (online) devices.add(deviceId);
    else devices.delete(deviceId);
    if (devices.size > 0) entry.users.set(userId, devices);
    else entry.users.delete(userId);
  }

  /** The user's devices online on other processes that were heard from lately. */
  private remoteDevices(userId: string): string[] {
    if (this.remote.size === 0) return [];
    const found: string[] = [];
    for (const [node, entry] of this.remote) {
      if (this.now() - entry.heardAt > PRESENCE_TTL_MS) {
        this.remote.delete(node);
        continue;
      }
      for (const deviceId of entry.users.get(userId) ?? []) found.push(deviceId);
    }
    return found;
  }

  /** Tells the other processes that this device's first socket here opened or its last one closed. */
  private announce(userId: string, deviceId: string, online: boolean): void {
    if (this.broker) this.broker.publish({ kind: 'presence', node: this.broker.id, userId, deviceId, online });
  }

  /**
   * Admits a socket of `sessionId`, unless the user already has `maxDevices` other devices online, on this
   * process or (with a broker) another one. A device over its own cap keeps its newest sockets: a phone that
   * reconnects after a network change must not be locked out by its own half-open socket, which the
   * heartbeat would find only later; nor by its socket on another process, which is the same device. Across
   * processes the count is as fresh as presence: devices connecting to two processes at the same moment may
   * both get in.
   */
  add(userId: string, deviceId: string, sessionId: string, socket: WebSocket, limits: SocketLimits): Admission | 'tooManyDevices' {
    const devices = this.byUser.get(userId) ?? new Map<string, Set<WebSocket>>();
    const online = this.onlineDevices(userId);
    const wasOnline = online.size > 0;
    const sockets = devices.get(deviceId) ?? new Set<WebSocket>();
    if (sockets.size === 0) {
      if (!online.has(deviceId) && online.size >= limits.maxDevices) return 'tooManyDevices';
      this.announce(userId, deviceId, true);
    }
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

  /** Removes a socket; true when this made the user offline (on every process). */
  remove(userId: string, deviceId: string, socket: WebSocket): boolean {
    const devices = this.byUser.get(userId);
    const sockets = devices?.get(deviceId);
    const sessionId = this.sessionOf.get(socket);
    const ofSession = sessionId === undefined ? undefined : this.bySession.get(sessionId);
    if (ofSession?.delete(socket) && ofSession.size === 0) this.bySession.delete(sessionId as string);
    if (!devices || !sockets || !sockets.delete(socket)) return false;
    if (sockets.size === 0) {
      devices.delete(deviceId);
      this.announce(userId, deviceId, false);
    }
    if (devices.size === 0) {
      this.byUser.delete(userId);
      return this.remoteDevices(userId).length === 0;
    }
    return false;
  }

  /** The user's devices with a socket open on this process or, with a broker, on another one. */
  onlineDevices(userId: string): Set<string> {
    const online = new Set(this.byUser.get(userId)?.keys() ?? []);
    for (const deviceId of this.remoteDevices(userId)) online.add(deviceId);
    return online;
  }

  isOnline(userId: string): boolean {
    return this.byUser.has(userId) || this.remoteDevices(userId).length > 0;
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
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    // A process that stops says so (an empty snapshot), so its users count as offline elsewhere at once
    // rather than after PRESENCE_TTL_MS; the sockets' own "offline" would come after the broker closed.
    if (this.broker) this.broker.publish({ kind: 'presenceSnapshot', node: this.broker.id, users: [] });
    for (const devices of this.byUser.values()) {
      for (const sockets of devices.values()) for (const socket of sockets) socket.terminate();
    }
    this.byUser.clear();
    this.bySession.clear();
  }
}
