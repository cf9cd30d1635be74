// @kit.ImageKit's PixelMap on the host: what a VoipCallAttribute's userProfile needs (size, format, byte count).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { image, PixelMap } from '../kits/ImageKit.js';

function code(fn) {
  try {
    fn();
    return 0;
  } catch (e) {
    return e.code;
  }
}

describe('ImageKit', () => {
  test('createPixelMapSync: RGBA_8888 by default, 4 bytes a pixel, as the guides build an avatar', () => {
    const p = image.createPixelMapSync(new ArrayBuffer(100), { size: { width: 90, height: 90 } });
    assert.ok(p instanceof PixelMap);
    assert.equal(p.getPixelBytesNumber(), 90 * 90 * 4);
    const info = p.getImageInfoSync();
    assert.deepEqual(info.size, { width: 90, height: 90 });
    assert.equal(info.pixelFormat, image.PixelMapFormat.RGBA_8888);
    assert.equal(info.stride, 360);
    assert.equal(p.isEditable, false);
  });

  test('the options-only overload makes an empty PixelMap; RGB_565 is 2 bytes a pixel', () => {
    const p = image.createPixelMapSync({ size: { width: 10, height: 3 }, pixelFormat: image.PixelMapFormat.RGB_565, editable: true });
    assert.equal(p.getPixelBytesNumber(), 60);
    assert.equal(p.isEditable, true);
  });

  test('bad sizes, formats or buffers are 401', () => {
    assert.equal(code(() => image.createPixelMapSync(new ArrayBuffer(4), { size: { width: 0, height: 1 } })), 401);
    assert.equal(code(() => image.createPixelMapSync(new ArrayBuffer(4), { size: { width: 1.5, height: 1 } })), 401);
    assert.equal(code(() => image.createPixelMapSync(new ArrayBuffer(4), {})), 401);
    assert.equal(code(() => image.createPixelMapSync([1, 2], { size: { width: 1, height: 1 } })), 401);
    assert.equal(code(() => image.createPixelMapSync({ size: { width: 1, height: 1 }, pixelFormat: 0 })), 401);
  });

  test('createPixelMap answers by promise or callback; release marks it released', async () => {
    const p = await image.createPixelMap(new ArrayBuffer(4), { size: { width: 1, height: 1 } });
    assert.equal((await p.getImageInfo()).size.width, 1);
    await p.release();
    assert.equal(p.released, true);
    const err = await new Promise((resolve) => image.createPixelMap(new ArrayBuffer(4), { size: { width: -1, height: 1 } }, (e) => resolve(e)));
    assert.equal(err.code, 401);
  });
});
