// @kit.NetworkKit on the host: the default network, switchable by tests, with netAvailable/netLost events.
export class NetworkSim {
  constructor() {
    this.reset();
  }

  reset() {
    this.online = true;
    this.connections = [];
  }

  /** Turns the network on or off, telling every registered NetConnection. */
  setOnline(online) {
    if (this.online === online) return;
    this.online = online;
    for (const c of this.connections) c.emit(online ? 'netAvailable' : 'netLost', { netId: 100 });
  }
}

export const sim = new NetworkSim();

class NetConnection {
  constructor() {
    this.handlers = new Map();
    this.registered = false;
  }

  on(type, callback) {
    const list = this.handlers.get(type) || [];
    list.push(callback);
    this.handlers.set(type, list);
  }

  emit(type, data) {
    for (const cb of this.handlers.get(type) || []) cb(data);
  }

  register(callback) {
    this.registered = true;
    sim.connections.push(this);
    if (callback) queueMicrotask(() => callback(undefined));
  }

  unregister(callback) {
    this.registered = false;
    sim.connections = sim.connections.filter((c) => c !== this);
    if (callback) queueMicrotask(() => callback(undefined));
  }
}

export const connection = {
  hasDefaultNetSync: () => sim.online,
  hasDefaultNet: () => Promise.resolve(sim.online),
  getDefaultNetSync: () => ({ netId: sim.online ? 100 : 0 }),
  getDefaultNet: () => Promise.resolve({ netId: sim.online ? 100 : 0 }),
  createNetConnection: () => new NetConnection(),
};

export default { connection };
