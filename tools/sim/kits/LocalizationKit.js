// @kit.LocalizationKit on the host: the parts of `i18n` the app reads, as harmonyos-references/js-apis-i18n
// documents them. Controlled by tests as KitSim.localization.
// - i18n.getTimeZone(zoneID?): "默认值：系统时区" — without an id, the device's zone; TimeZone.getID() gives its id.
//   What an unknown id gives is not documented: the sim refuses it (401), the strictest reading.
// - i18n.System.getSystemLanguage(): e.g. 'zh-Hans' for Simplified Chinese, 'en-Latn-US' for English.
import { businessError, PARAM_ERROR } from '../errors.js';

export const sim = {
  /** The device's time zone (Settings > System > Date & time). */
  timeZone: 'Asia/Shanghai',
  language: 'zh-Hans',
  reset() {
    sim.timeZone = 'Asia/Shanghai';
    sim.language = 'zh-Hans';
  },
};

function isZone(id) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: id });
    return true;
  } catch (e) {
    return false;
  }
}

class TimeZone {
  #id;

  constructor(id) {
    this.#id = id;
  }

  getID() {
    return this.#id;
  }
}

export const i18n = {
  getTimeZone(zoneID) {
    if (zoneID === undefined) return new TimeZone(sim.timeZone);
    if (typeof zoneID !== 'string' || !isZone(zoneID)) throw businessError(PARAM_ERROR, 'Parameter error. zoneID');
    return new TimeZone(zoneID);
  },
  System: {
    getSystemLanguage() {
      return sim.language;
    },
  },
};
