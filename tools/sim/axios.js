// @ohos/axios on the host (tools/test/bundle.js maps the import here): npm axios, the library @ohos/axios
// ports ("基于Axios原库v1.3.4版本进行适配 ... 沿用其现有用法和特性", its README: rock-hu/minor-projects
// openharmony-sig/ohos_axios/README_zh.md, archived copy of gitcode openharmony-sig/ohos_axios), doing real
// HTTP through axios's Node adapter. Same API: axios(config), axios.create, get/post/put/delete,
// interceptors, defaults, AxiosError with `code`, response.status/data/headers. Typed for ArkTS by npm
// axios's index.d.ts (tools/types/tsconfig.json).
//
// What differs on a device, and what this module does about it:
// - Failures without an answer. @ohos/axios's adapter (library/src/main/ets/components/lib/adapters/ohos)
//   sends through @ohos.net.http and, when that fails, rejects with
//   `new AxiosError(JSON.stringify(err), err.code, ...)`: the code is the kit's number, 2300000 + the curl
//   error (README "错误码": "HTTP 错误关系映射：2300000 + curl错误码"; codes in openharmony/docs
//   .../apis-network-kit/errorcode-net-http.md). So a refused connection is 2300007, a timeout 2300028
//   (config.timeout becomes the kit's readTimeout), an unknown host 2300006 - never Node's 'ECONNREFUSED'
//   or axios's 'ECONNABORTED'/'ETIMEDOUT'/'ERR_NETWORK'. This module reports the device's numbers (the
//   Node error stays in `cause`), so code that tests `error.code === 'ECONNABORTED'` fails here as it
//   would on a phone. (npm axios's typings say `code?: string`; at run time it is a number.)
// - Answers with a non-2xx status are the same on both: axios's settle gives ERR_BAD_REQUEST (4xx) or
//   ERR_BAD_RESPONSE (5xx) with `response`; so are an exceeded maxContentLength (ERR_BAD_RESPONSE) and a
//   cancellation (signal: CanceledError 'ERR_CANCELED'). An answer cut off mid-body is 2300018.
// - Left as Node does it: response.statusText (the device's adapter always sets ''), response.headers
//   (an AxiosHeaders object here, the kit's header object there), the default timeout (0 = none here;
//   the kit's connectTimeout is 60 s), FormData/upload/download with `context`/`filePath` (not simulated).
// - KitSim.network.setOnline(false) makes every request fail as a device without a network does: 2300006
//   (the host name cannot be resolved) or, for an IP address, 2300007.
import axios, { AxiosError } from 'axios';
import { sim as network } from './kits/NetworkKit.js';

/** The @ohos.net.http codes (errorcode-net-http.md) the host reports, with their error messages. */
export const HTTP_CODES = {
  2300003: 'Invalid URL format or missing URL.',
  2300006: 'Failed to resolve the host name.',
  2300007: 'Failed to connect to the server.',
  2300018: 'Transferred a partial file.',
  2300028: 'Operation timeout.',
  2300047: 'The number of redirections reaches the maximum allowed.',
  2300052: 'The server returned nothing (no header or data).',
  2300055: 'Failed to send data to the peer.',
  2300056: 'Failed to receive data from the peer.',
  2300060: 'Invalid SSL peer certificate or SSH remote key.',
  2300999: 'Internal error.',
};

/** Node's socket errors as curl reports the same failures (curl errors 6, 7, 28, 52, 55, 56, 60). */
const NODE_TO_HTTP = {
  ENOTFOUND: 2300006,
  EAI_AGAIN: 2300006,
  ECONNREFUSED: 2300007,
  EHOSTUNREACH: 2300007,
  ENETUNREACH: 2300007,
  EADDRNOTAVAIL: 2300007,
  ETIMEDOUT: 2300028,
  EPIPE: 2300055,
  ECONNRESET: 2300056,
  ERR_FR_TOO_MANY_REDIRECTS: 2300047,
  ERR_INVALID_URL: 2300003,
  CERT_HAS_EXPIRED: 2300060,
  DEPTH_ZERO_SELF_SIGNED_CERT: 2300060,
  SELF_SIGNED_CERT_IN_CHAIN: 2300060,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 2300060,
  ERR_TLS_CERT_ALTNAME_INVALID: 2300060,
};

/** The device's code for an AxiosError without an answer, or undefined for axios's own errors. */
function httpCodeOf(error) {
  // axios's Node adapter reports its own timeout as ECONNABORTED (ETIMEDOUT with clarifyTimeoutError).
  if (error.code === AxiosError.ECONNABORTED) return 2300028;
  // A socket closed before any answer is curl's "empty reply" (52); a reset later is a receive error (56);
  // a body cut short is a partial transfer (18), with no response on the device (Node keeps it).
  if (error.code === 'ECONNRESET' && /socket hang up/.test(error.message)) return 2300052;
  if (error.code === AxiosError.ERR_BAD_RESPONSE && error.message === 'stream has been aborted') return 2300018;
  const known = NODE_TO_HTTP[error.code] ?? NODE_TO_HTTP[error.cause && error.cause.code];
  if (known !== undefined) return known;
  // Any other socket-level failure (an errno name) is still a number on the device.
  if (typeof error.code === 'string' && /^E[A-Z]+$/.test(error.code)) return 2300999;
  return undefined;
}

/** An AxiosError as the device's adapter builds it from the kit's BusinessError. */
function deviceError(code, config, request, cause) {
  const error = new AxiosError(JSON.stringify({ code, message: HTTP_CODES[code] }), code, config, request);
  if (cause !== undefined) error.cause = cause;
  return error;
}

function isIpLiteral(host) {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':') || host.startsWith('[');
}

const nodeHttp = axios.getAdapter('http');

/** The adapter of every instance: Node's http adapter, reporting failures with the device's codes. */
async function deviceAdapter(config) {
  if (!network.online) {
    let host = '';
    try {
      host = new URL(axios.getUri(config)).hostname;
    } catch {
      return Promise.reject(deviceError(2300003, config, undefined));
    }
    return Promise.reject(deviceError(isIpLiteral(host) ? 2300007 : 2300006, config, undefined));
  }
  try {
    return await nodeHttp(config);
  } catch (error) {
    if (!(error instanceof AxiosError)) throw error;
    const code = httpCodeOf(error);
    if (code === undefined) throw error;
    throw deviceError(code, error.config || config, error.request, error);
  }
}

// An instance of its own, so npm axios's global defaults stay untouched; axios.create() of it (and of its
// instances) inherits the adapter.
const ohosAxios = axios.create({ adapter: deviceAdapter });
for (const key of ['Axios', 'AxiosError', 'CanceledError', 'isCancel', 'CancelToken', 'VERSION', 'toFormData', 'Cancel',
  'all', 'spread', 'isAxiosError', 'mergeConfig', 'AxiosHeaders', 'formToJSON', 'getAdapter', 'HttpStatusCode']) {
  ohosAxios[key] = axios[key];
}
ohosAxios.default = ohosAxios;

export {
  AxiosError,
  AxiosHeaders,
  Axios,
  CanceledError,
  CancelToken,
  Cancel,
  HttpStatusCode,
  isAxiosError,
  isCancel,
  mergeConfig,
  toFormData,
  formToJSON,
  getAdapter,
  all,
  spread,
  VERSION,
} from 'axios';

export default ohosAxios;
