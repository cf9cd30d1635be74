// @kit.ImageKit on the host: just enough of `image` to make a PixelMap from raw pixels, as the Call Service Kit
// guides do for the caller's avatar (harmonyos-guides/incoming-calls:
// `image.createPixelMapSync(new ArrayBuffer(100), { size: { width: 90, height: 90 } })`). No decoding: a
// PixelMap knows its size and format, not its pixels. Written from harmonyos-references/arkts-apis-image-f
// (createPixelMap, createPixelMapSync) and arkts-apis-image-pixelmap (getPixelBytesNumber, getImageInfoSync,
// release), with the names of @ohos.multimedia.image.d.ts.
import { businessError, withCallback, PARAM_ERROR } from '../errors.js';

/**
 * A TypeScript numeric enum as the compiler emits it: names to values and values back to names (for two names of one
 * value, the later one, as `E[E["A"] = 1] = "A"` statements in order leave it).
 */
export function tsEnum(members) {
  const e = {};
  for (const [name, value] of Object.entries(members)) {
    e[name] = value;
    if (typeof value === 'number') e[value] = name;
  }
  return Object.freeze(e);
}

const PixelMapFormat = tsEnum({
  UNKNOWN: 0, RGB_565: 2, RGBA_8888: 3, BGRA_8888: 4, RGB_888: 5, ALPHA_8: 6, RGBA_F16: 7, NV21: 8, NV12: 9,
  RGBA_1010102: 10, YCBCR_P010: 11, YCRCB_P010: 12,
});
const AlphaType = tsEnum({ UNKNOWN: 0, OPAQUE: 1, PREMUL: 2, UNPREMUL: 3 });

/** Bytes per pixel of the packed formats (the YUV ones are 1.5 per pixel, 3 for the 10-bit ones). */
const BYTES_PER_PIXEL = { 2: 2, 3: 4, 4: 4, 5: 3, 6: 1, 7: 8, 8: 1.5, 9: 1.5, 10: 4, 11: 3, 12: 3 };

const isPositiveInt = (v) => Number.isInteger(v) && v > 0;

export class PixelMap {
  constructor(width, height, pixelFormat, alphaType, editable) {
    this.width = width;
    this.height = height;
    this.pixelFormat = pixelFormat;
    this.alphaType = alphaType;
    this.isEditable = editable;
    this.released = false;
  }

  getPixelBytesNumber() {
    return Math.ceil(this.width * this.height * BYTES_PER_PIXEL[this.pixelFormat]);
  }

  getImageInfoSync() {
    return {
      size: { width: this.width, height: this.height },
      density: 0,
      stride: Math.ceil(this.width * BYTES_PER_PIXEL[this.pixelFormat]),
      pixelFormat: this.pixelFormat,
      alphaType: this.alphaType,
      mimeType: '',
      isHdr: false,
    };
  }

  getImageInfo(callback) {
    return withCallback(Promise.resolve(this.getImageInfoSync()), callback);
  }

  release() {
    this.released = true;
    return Promise.resolve();
  }
}

/**
 * The checks of createPixelMapSync's 401 ("Parameter verification failed"): size with positive integer width and
 * height, a known pixelFormat (default RGBA_8888; UNKNOWN is refused: we choose the strictest, the reference does
 * not say). The colour buffer's length is not checked: Huawei's own sample passes 100 bytes for 90x90 pixels.
 */
function makePixelMap(colors, options) {
  if (colors !== undefined && !(colors instanceof ArrayBuffer)) throw businessError(PARAM_ERROR, 'Parameter error: colors must be an ArrayBuffer');
  if (options === null || typeof options !== 'object' || options.size === null || typeof options.size !== 'object' ||
      !isPositiveInt(options.size.width) || !isPositiveInt(options.size.height)) {
    throw businessError(PARAM_ERROR, 'Parameter error: options.size needs positive integer width and height');
  }
  const format = options.pixelFormat === undefined ? PixelMapFormat.RGBA_8888 : options.pixelFormat;
  if (BYTES_PER_PIXEL[format] === undefined) throw businessError(PARAM_ERROR, `Parameter error: pixelFormat ${format}`);
  const alpha = options.alphaType === undefined ? AlphaType.PREMUL : options.alphaType;
  return new PixelMap(options.size.width, options.size.height, format, alpha, options.editable === true);
}

export const image = {
  PixelMapFormat,
  AlphaType,
  /** createPixelMapSync(colors, options) or createPixelMapSync(options) (an empty PixelMap), both API 12. */
  createPixelMapSync(colorsOrOptions, options) {
    return options === undefined ? makePixelMap(undefined, colorsOrOptions) : makePixelMap(colorsOrOptions, options);
  },
  createPixelMap(colors, options, callback) {
    let p;
    try {
      p = Promise.resolve(makePixelMap(colors, options));
    } catch (e) {
      p = Promise.reject(e);
    }
    return withCallback(p, callback);
  },
};

export default { image };
