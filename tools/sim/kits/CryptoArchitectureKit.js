// @kit.CryptoArchitectureKit on the host: message digests (cryptoFramework.createMd) computed with
// Node's crypto, so hashes match a device bit for bit. Unknown algorithms fail with 401 like the kit.
import crypto from 'node:crypto';
import { businessError, later, PARAM_ERROR } from '../errors.js';

const ALGORITHMS = { SHA1: 'sha1', SHA224: 'sha224', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512', MD5: 'md5', SM3: 'sm3' };

function checkBlob(input) {
  if (!input || !(input.data instanceof Uint8Array)) throw businessError(PARAM_ERROR, 'Parameter error: DataBlob.data must be a Uint8Array');
}

class Md {
  constructor(algName) {
    this.algName = algName;
    this.hash = crypto.createHash(ALGORITHMS[algName]);
  }

  updateSync(input) {
    checkBlob(input);
    this.hash.update(input.data);
  }

  update(input) {
    return later(0, () => this.updateSync(input));
  }

  digestSync() {
    const data = new Uint8Array(this.hash.digest());
    this.hash = crypto.createHash(ALGORITHMS[this.algName]); // a digest resets the Md, as on a device
    return { data };
  }

  digest() {
    return later(0, () => this.digestSync());
  }

  getMdLength() {
    return crypto.createHash(ALGORITHMS[this.algName]).digest().length;
  }
}

export const cryptoFramework = {
  createMd(algName) {
    if (!Object.prototype.hasOwnProperty.call(ALGORITHMS, algName)) {
      throw businessError(PARAM_ERROR, `Parameter error: unsupported digest algorithm ${algName}`);
    }
    return new Md(algName);
  },
};

export default { cryptoFramework };
