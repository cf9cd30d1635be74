// BusinessError as the system kits throw it: an Error with a numeric `code` (see @ohos.base).
export function businessError(code, message) {
  const e = new Error(message);
  e.code = code;
  return e;
}

export const PARAM_ERROR = 401;

/** Async helpers: the kits answer on a later turn, as the system services do. */
export function later(ms, fn) {
  return new Promise((resolve, reject) => {
    const run = () => {
      try {
        resolve(fn());
      } catch (e) {
        reject(e);
      }
    };
    if (ms > 0) setTimeout(run, ms);
    else queueMicrotask(run);
  });
}

/** Supports both the promise and the AsyncCallback form of a kit function. */
export function withCallback(promise, callback) {
  if (typeof callback !== 'function') return promise;
  promise.then((v) => callback(undefined, v), (e) => callback(e, undefined));
  return undefined;
}

/** One-shot failure injection: failNext('getToken', 1000900011) makes the next call fail with that code. */
export class FailureQueue {
  constructor() {
    this.queue = new Map();
  }

  failNext(api, code, message) {
    const list = this.queue.get(api) || [];
    list.push({ code, message: message || `simulated failure of ${api}` });
    this.queue.set(api, list);
  }

  take(api) {
    const list = this.queue.get(api);
    if (!list || list.length === 0) return undefined;
    const f = list.shift();
    return businessError(f.code, f.message);
  }

  clear() {
    this.queue.clear();
  }
}
