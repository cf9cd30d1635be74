// @kit.NetworkKit on the host: `connection` (the default network, switchable by tests, with netAvailable/
// netLost events) and `webSocket` (a real WebSocket client on npm `ws`, with the device's callback shapes,
// event order and error codes). Taking the simulated network offline also breaks every WebSocket.
//
// webSocket follows Huawei's API reference, "@ohos.net.webSocket (WebSocket连接)",
//   https://developer.huawei.com/consumer/cn/doc/harmonyos-references/js-apis-websocket
//   (stored as liasica/harmonyos-skills harmonyos/references/harmonyos-references/js-apis-websocket.md; the
//   OpenHarmony twin is openharmony/docs en/application-dev/reference/apis-network-kit/js-apis-webSocket.md),
// its error codes page (openharmony/docs .../apis-network-kit/errorcode-net-webSocket.md), and, where the
// reference is silent, the device implementation it documents: openharmony/communication_netstack
// frameworks/js/napi/websocket (websocket_exec.cpp, websocket_module.cpp, async_context/*.cpp).
import fs from 'node:fs';
import WsClient from 'ws';
import { businessError, later, withCallback, PARAM_ERROR } from '../errors.js';
import { deviceInfo } from './BasicServicesKit.js';

export class NetworkSim {
  constructor() {
    /** Every WebSocket with a connection attempt or a connection (any state but idle). */
    this.sockets = new Set();
    this.reset();
  }

  reset() {
    this.online = true;
    this.cut = new Set();
    this.connections = [];
    // A fresh device: the old test's sockets vanish without telling anyone.
    for (const socket of [...this.sockets]) socket.discard();
    this.sockets = new Set();
  }

  /**
   * Turns the network on or off, telling every registered NetConnection. Going offline breaks every open
   * WebSocket the way a lost link does (see dropSockets) and makes new connects fail.
   */
  setOnline(online) {
    if (this.online === online) return;
    this.online = online;
    if (!online) this.dropSockets();
    for (const c of this.connections) c.emit(online ? 'netAvailable' : 'netLost', { netId: 100 });
  }

  /**
   * Kills every WebSocket's TCP connection without a close handshake, as a lost network does, and answers
   * how many there were. The app then sees what a device reports for a link that went down: an 'error'
   * (code 200) followed by a 'close' with code 1005 and reason 'The link is down' (an attempt still
   * connecting gets only the 'error', as any failed connect).
   */
  dropSockets() {
    let dropped = 0;
    for (const socket of [...this.sockets]) {
      if (socket.drop()) dropped += 1;
    }
    return dropped;
  }

  /**
   * One simulated device among several in a test process loses its network: the WebSockets whose URL
   * contains `urlPart` (e.g. its deviceId) drop as in dropSockets, and its new connects fail as offline
   * ones do, until restoreLink(urlPart). Other sockets, and HTTP, are not affected.
   */
  cutOff(urlPart) {
    this.cut.add(urlPart);
    let dropped = 0;
    for (const socket of [...this.sockets]) {
      if (typeof socket.url === 'string' && socket.url.includes(urlPart) && socket.drop()) dropped += 1;
    }
    return dropped;
  }

  restoreLink(urlPart) {
    this.cut.delete(urlPart);
  }

  /** Whether a connect to `url` finds no network. */
  unreachable(url) {
    if (!this.online) return true;
    for (const part of this.cut) if (url.includes(part)) return true;
    return false;
  }

  /** How many WebSockets are open now (past 'open', not yet closed). */
  get openSockets() {
    let open = 0;
    for (const socket of this.sockets) {
      if (socket.state === 'open' || socket.state === 'closing') open += 1;
    }
    return open;
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

// ---- webSocket ----

/** Error codes of connect (errorcode-net-webSocket.md) and the 'error' event's code. */
export const WS_CONNECT_FAILED = 200;
export const WS_URL_ERROR = 2302001;
export const WS_CERT_NOT_EXIST = 2302002;
export const WS_ALREADY_EXISTS = 2302003;
export const WS_UNKNOWN_ERROR = 2302999;
/** The reference: send() takes at most 5 * 1024 * 1024 - 16 bytes, more is 401. */
export const WS_MAX_SEND_BYTES = 5 * 1024 * 1024 - 16;
const LINK_DOWN = 'The link is down';

// open, message and close listeners are AsyncCallbacks, called (undefined, value); error, dataEnd and
// headerReceive listeners are Callbacks, called (value) (websocket_module.cpp: On registers the first three
// as asynchronous callbacks, the others not; EventManager::Emit passes one argument to the latter).
const ASYNC_EVENTS = ['open', 'message', 'close'];
const EVENTS = [...ASYNC_EVENTS, 'error', 'dataEnd', 'headerReceive'];

/**
 * The 'error' event's BusinessError: code 200 for every failure of the connection, as the reference says
 * ("if the server refuses the upgrade or another error occurs, 200"); `data` is the HTTP status the
 * server answered as a string, '0' when none (netstack's CreateConnectError).
 */
function linkError(httpStatus) {
  const e = businessError(WS_CONNECT_FAILED, 'Websocket connect failed');
  e.data = String(httpStatus);
  return e;
}

function urlLimit() {
  // The reference: the URL may not exceed 1024 characters, 2048 from API 15 (8196 from API 26).
  return deviceInfo.sdkApiVersion >= 15 ? 2048 : 1024;
}

function checkUrl(url) {
  if (url.length > urlLimit()) throw businessError(WS_URL_ERROR, 'Websocket url error');
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw businessError(WS_URL_ERROR, 'Websocket url error');
  }
  if ((parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') || parsed.hostname === '') {
    throw businessError(WS_URL_ERROR, 'Websocket url error');
  }
}

/** The request headers the device sends: names lower-cased, only non-empty string values (ParseHeader). */
function headersOf(header) {
  const out = {};
  if (header === null || typeof header !== 'object') return out;
  for (const [name, value] of Object.entries(header)) {
    if (typeof value === 'string' && value.length > 0) out[name.toLowerCase()] = value;
  }
  return out;
}

function checkOptions(options) {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') throw businessError(PARAM_ERROR, 'Parameter error: options');
  if (options.protocol !== undefined && typeof options.protocol !== 'string') {
    throw businessError(PARAM_ERROR, 'Parameter error: protocol');
  }
  const proxy = options.proxy;
  if (proxy !== undefined && proxy !== 'system' && proxy !== 'no-proxy' && (proxy === null || typeof proxy !== 'object')) {
    throw businessError(PARAM_ERROR, 'Parameter error: proxy');
  }
  const missing = (p) => typeof p === 'string' && p.length > 0 && !fs.existsSync(p);
  const cert = options.clientCert;
  if (missing(options.caPath) || (cert && (missing(cert.certPath) || missing(cert.keyPath)))) {
    throw businessError(WS_CERT_NOT_EXIST, 'Websocket certificate file does not exist');
  }
}

/** A close code the device sends: 1000..1015, anything else becomes 1000 (close_context.cpp). */
function closeCodeOf(code) {
  // 1004-1006 and 1015 may not appear in a close frame (RFC 6455 7.4.1); ws refuses them, so they are 1000 too.
  const ok = Number.isInteger(code) && code >= 1000 && code <= 1015 && ![1004, 1005, 1006, 1015].includes(code);
  return ok ? code : 1000;
}

/** A close frame carries at most 123 bytes of reason. */
function closeReasonOf(reason) {
  if (typeof reason !== 'string') return '';
  let out = reason;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}

class DeviceWebSocket {
  constructor() {
    this.listeners = new Map();
    /** idle (reusable) -> connecting -> open -> closing -> idle */
    this.state = 'idle';
    /** The ws client of the current connection; events of any other (older) client are ignored. */
    this.client = undefined;
    this.openInfo = { status: 101, message: 'Switching Protocols' };
    /** What close() asked for: { code, reason }. */
    this.closeRequest = undefined;
    this.errorReported = false;
  }

  on(type, callback) {
    if (!EVENTS.includes(type) || typeof callback !== 'function') {
      throw businessError(PARAM_ERROR, `Parameter error: on('${String(type)}') needs a known event and a callback`);
    }
    const list = this.listeners.get(type) || [];
    list.push(callback);
    this.listeners.set(type, list);
  }

  /** Without a callback, every listener of that event goes (the reference's off). */
  off(type, callback) {
    if (!EVENTS.includes(type)) throw businessError(PARAM_ERROR, `Parameter error: off('${String(type)}')`);
    if (callback === undefined) {
      this.listeners.delete(type);
      return;
    }
    this.listeners.set(type, (this.listeners.get(type) || []).filter((cb) => cb !== callback));
  }

  emit(type, value) {
    for (const cb of [...(this.listeners.get(type) || [])]) {
      if (ASYNC_EVENTS.includes(type)) cb(undefined, value);
      else cb(value);
    }
  }

  /**
   * connect(url, callback) / connect(url, options, callback) / connect(url, options?): Promise<boolean>.
   * The boolean only says whether the connection request was created (the reference: "callback中返回的
   * boolean值仅表示连接请求创建是否成功"; success is the 'open' event). So a refused port, a refused upgrade
   * or a missing network still resolve true and then report one 'error' (code 200, no 'open', no 'close'),
   * as netstack's OnConnectError does. Argument errors reject: 401, 2302001 (URL), 2302002 (certificate
   * file), 2302003 (this WebSocket is already connecting or connected).
   */
  connect(url, options, callback) {
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    return withCallback(later(0, () => this.startConnect(url, options)), callback);
  }

  startConnect(url, options) {
    if (typeof url !== 'string') throw businessError(PARAM_ERROR, 'Parameter error: url must be a string');
    checkOptions(options);
    if (this.state !== 'idle') throw businessError(WS_ALREADY_EXISTS, 'Websocket connection already exists');
    checkUrl(url);
    const headers = headersOf(options && options.header);
    const protocols = options && options.protocol ? options.protocol.split(',').map((p) => p.trim()) : undefined;

    this.state = 'connecting';
    this.closeRequest = undefined;
    this.errorReported = false;
    this.url = url;
    sim.sockets.add(this);
    if (sim.unreachable(url)) {
      // No network: the attempt is made and fails like any connect (resolve true, then 'error').
      const attempt = {};
      this.client = attempt;
      setTimeout(() => {
        if (this.client === attempt) this.failConnect(0);
      }, 0);
      return true;
    }
    let client;
    try {
      client = new WsClient(url, protocols, { headers, perMessageDeflate: false, followRedirects: false });
    } catch (e) {
      this.finish();
      throw businessError(WS_UNKNOWN_ERROR, `Websocket other unknown error: ${e.message}`);
    }
    client.binaryType = 'arraybuffer';
    this.client = client;
    this.listen(client);
    return true;
  }

  listen(client) {
    const current = () => this.client === client;
    client.on('upgrade', (res) => {
      if (!current()) return;
      this.openInfo = { status: res.statusCode, message: res.statusMessage || '' };
      this.emit('headerReceive', { ...res.headers });
    });
    client.on('unexpected-response', (req, res) => {
      // The server answered the upgrade request with something else than 101 (401, 404, ...): the reference's
      // on('error') note, "if the server refuses the upgrade ... 200".
      if (current()) this.failConnect(res.statusCode);
      else client.terminate();
    });
    client.on('open', () => {
      if (!current()) return;
      this.state = 'open';
      // The reference's on('open') value: { status, message } of the HTTP upgrade response.
      this.emit('open', { ...this.openInfo });
      if (current() && this.state === 'open' && this.closeRequest) this.sendClose();
    });
    client.on('message', (data, isBinary) => {
      if (!current()) return;
      // A text frame arrives as a string, a binary frame as an ArrayBuffer (the reference's on('message'));
      // 'dataEnd' follows each complete message (netstack emits it after every message event).
      this.emit('message', isBinary ? data : Buffer.from(data).toString('utf8'));
      if (current()) this.emit('dataEnd', undefined);
    });
    client.on('error', () => {
      if (!current()) return;
      if (this.state === 'connecting') {
        this.failConnect(0);
        return;
      }
      // After 'open': the device reports the failure once; the 'close' follows when ws closes.
      if (!this.errorReported) {
        this.errorReported = true;
        this.emit('error', linkError(101));
      }
    });
    client.on('close', (code, reasonBuffer) => {
      if (!current()) return;
      if (this.state === 'connecting') {
        this.failConnect(0);
        return;
      }
      this.finish();
      if (this.closeRequest) {
        // Closed by the app: the device reports the code and reason it sent.
        this.emit('close', { ...this.closeRequest });
      } else if (code === 1006) {
        // No close frame: the link went down. netstack (LwsCallbackClientClosed) reports 'error' 200, then
        // 'close' with LWS_CLOSE_STATUS_NOSTATUS (1005) and 'The link is down'.
        if (!this.errorReported) this.emit('error', linkError(101));
        this.emit('close', { code: 1005, reason: LINK_DOWN });
      } else if (code === 1005) {
        // A close frame without a status: netstack reports 1000 (LwsCallbackWsPeerInitiatedClose).
        this.emit('close', { code: 1000, reason: '' });
      } else {
        this.emit('close', { code, reason: Buffer.from(reasonBuffer || []).toString('utf8') });
      }
    });
  }

  /** The connection ends: this WebSocket may connect again. */
  finish() {
    this.state = 'idle';
    this.client = undefined;
    sim.sockets.delete(this);
  }

  failConnect(httpStatus) {
    const client = this.client;
    this.finish();
    if (client instanceof WsClient) client.terminate();
    this.emit('error', linkError(httpStatus));
  }

  /**
   * send(data, callback) / send(data): Promise<boolean>. A string goes as a text frame, an ArrayBuffer as a
   * binary frame. The reference: send "can be called only after the open event"; before it, after a close
   * or a lost link the sim rejects with 2302999 (netstack fails such a send with a code the reference
   * does not list). An empty ArrayBuffer, other types and more than WS_MAX_SEND_BYTES are 401.
   */
  send(data, callback) {
    return withCallback(later(0, () => this.sendNow(data)), callback);
  }

  sendNow(data) {
    const text = typeof data === 'string';
    if (!text && !(data instanceof ArrayBuffer)) {
      throw businessError(PARAM_ERROR, 'Parameter error: data must be a string or an ArrayBuffer');
    }
    const size = text ? Buffer.byteLength(data) : data.byteLength;
    if ((!text && size === 0) || size > WS_MAX_SEND_BYTES) {
      throw businessError(PARAM_ERROR, `Parameter error: data of ${size} bytes`);
    }
    if (this.state !== 'open') throw businessError(WS_UNKNOWN_ERROR, 'Websocket other unknown error: not open');
    // The device copies the data when send is called.
    this.client.send(text ? data : Buffer.from(new Uint8Array(data)), { binary: !text });
    return true;
  }

  /**
   * close(callback) / close(options, callback) / close(options?): Promise<boolean>. Starts the close
   * handshake with { code = 1000, reason = '' }; the 'close' event follows with that code and reason.
   * While connecting, the close happens right after 'open' (netstack queues it until the socket is
   * writable). Without a connection it rejects with 2302999.
   */
  close(options, callback) {
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    return withCallback(later(0, () => this.closeNow(options)), callback);
  }

  closeNow(options) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw businessError(PARAM_ERROR, 'Parameter error: options');
    }
    if (this.state === 'idle') throw businessError(WS_UNKNOWN_ERROR, 'Websocket other unknown error: no connection');
    if (this.state === 'closing') return true;
    this.closeRequest = { code: closeCodeOf(options && options.code), reason: closeReasonOf(options && options.reason) };
    if (this.state === 'open') this.sendClose();
    return true;
  }

  sendClose() {
    this.state = 'closing';
    this.client.close(this.closeRequest.code, this.closeRequest.reason);
  }

  /** KitSim.network.dropSockets: the TCP connection dies without a close frame. */
  drop() {
    if (this.state === 'idle') return false;
    const client = this.client;
    if (client instanceof WsClient) {
      client.terminate();
    }
    return true;
  }

  /** KitSim.reset: gone without any event. */
  discard() {
    const client = this.client;
    this.finish();
    this.listeners.clear();
    if (client instanceof WsClient) client.terminate();
  }
}

export const webSocket = {
  createWebSocket: () => new DeviceWebSocket(),
};

export default { connection, webSocket };
