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

/**
 * One-shot failure injection: failNext('getToken', 1000900011) makes the next call fail with that code.
 * A kit sim may pass the error codes its reference documents per API ({ getToken: [...], ... }); then
 * failNext with an API or a code outside that table throws a plain Error at once: the test set up a
 * failure the real kit can never produce. Without a table any API and code are accepted.
 */
export class FailureQueue {
  constructor(allowedCodes) {
    this.allowedCodes = allowedCodes;
    this.queue = new Map();
  }

  failNext(api, code, message) {
    if (this.allowedCodes !== undefined) {
      const codes = this.allowedCodes[api];
      if (codes === undefined) {
        throw new Error(`failNext: '${api}' is not an API of this kit (known: ${Object.keys(this.allowedCodes).join(', ')})`);
      }
      if (!codes.includes(code)) {
        throw new Error(`failNext: ${api} does not document error ${code} (documented: ${codes.join(', ')})`);
      }
    }
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
