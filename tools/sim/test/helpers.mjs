// Small helpers shared by the simulation tests.
import http from 'node:http';

/** The BusinessError code a promise rejects with, or 0 when it resolves. */
export async function codeOf(promise) {
  try {
    await promise;
    return 0;
  } catch (e) {
    return e.code;
  }
}

/** The BusinessError code a synchronous call throws, or 0 when it returns. */
export function thrownCode(fn) {
  try {
    fn();
    return 0;
  } catch (e) {
    return e.code;
  }
}

/** A loopback port nobody listens on (a refused connection). */
export async function freePort() {
  const s = http.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}
