// @kit.ArkUI on the host: the namespaces logic code may touch; UI itself only runs on a device.
export const promptAction = {
  shown: [],
  showToast(options) {
    promptAction.shown.push(options);
  },
};

export const window = {};
export const router = {};
export default { promptAction, window, router };
