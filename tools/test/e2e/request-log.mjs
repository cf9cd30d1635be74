// Preloaded (node --import) into the companion server that harness.mjs starts: writes one line to stdout,
// `@@e2e-request <method> <url>`, for each HTTP request the server receives, and `@@e2e-answered <method>
// <url>` once its answer has been written (WebSocket upgrades and their
// frames are not HTTP requests and are not written). The harness counts them for GET /server/requests, so an
// end-to-end test can tell which path the app took (REST or the socket) without asking the app.
// The line is written before the server handles the request; stdout to a pipe is synchronous on Linux and
// macOS, and the harness's barrier (a request of its own, waited for in the same stream) covers the rest.
import http from 'node:http';

const PREFIX = '@@e2e-request ';
const ANSWERED = '@@e2e-answered ';
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function emitLogged(event, ...args) {
  if (event === 'request') {
    const request = args[0];
    process.stdout.write(`${PREFIX}${request.method} ${request.url}\n`);
    args[1].once('finish', () => process.stdout.write(`${ANSWERED}${request.method} ${request.url}\n`));
  }
  return emit.call(this, event, ...args);
};
