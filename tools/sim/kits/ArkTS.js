// @kit.ArkTS on the host: the util functions the app uses (UUIDs, UTF-8 text encoding).
import crypto from 'node:crypto';

class TextEncoder {
  constructor() {
    this.encoding = 'utf-8';
  }

  static create() {
    return new TextEncoder();
  }

  encodeInto(input) {
    return new Uint8Array(Buffer.from(input === undefined ? '' : String(input), 'utf8'));
  }
}

class TextDecoder {
  static create() {
    return new TextDecoder();
  }

  decodeToString(input) {
    return Buffer.from(input).toString('utf8');
  }
}

export const util = {
  generateRandomUUID: () => crypto.randomUUID(),
  TextEncoder,
  TextDecoder,
};

export default { util };
