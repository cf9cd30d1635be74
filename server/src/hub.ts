// Live connections: a device with an open WebSocket is online. Heartbeats find the dead ones.
import type { WebSocket } from 'ws';

export interface LiveEvent {
  type: string;
  [key: string]: unknown;
}

export class Hub {
  private readonly byUser = new Map<string, Map<string, Set<WebSocket>>>();
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private timer: NodeJS.Timeout | undefined;

  /** Adds a socket; true when this made the user online. */
  add(userId: string, deviceId: string, socket: WebSocket): boolean {
    const devices = this.byUser.get(userId) ?? new Map<string, Set<WebSocket>>();
    const wasOnline = devices.size > 0;
    const sockets = devices.get(deviceId) ?? new Set<WebSocket>();
    sockets.add(socket);
    devices.set(deviceId, sockets);
    this.byUser.set(userId, devices);
    this.alive.set(socket, true);
    socket.on('pong', () => this.alive.set(socket, true));
    return !wasOnline;
  }

  /** Removes a socket; true when this made the user offline. */
  remove(userId: string, deviceId: string, socket: WebSocket): boolean {
    const devices = this.byUser.get(userId);
    const sockets = devices?.get(deviceId);
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
    const devices = this.byUser.get(userId);
    if (!devices) return;
    const data = JSON.stringify(event);
    for (const sockets of devices.values()) {
      for (const socket of sockets) if (socket.readyState === socket.OPEN) socket.send(data);
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
  }
}
