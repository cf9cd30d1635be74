// @kit.AudioKit on the host: the `audio` enums an AVPlayer's audioRendererInfo needs, with the values of
// @ohos.multimedia.audio.d.ts (harmonyos-references/arkts-apis-audio-e §StreamUsage). harmonyos-guides/push-voip:
// play the app's ringtone with AVPlayer, "usage设置为STREAM_USAGE_RINGTONE". Nothing plays here: see MediaKit.js.
import { tsEnum } from './ImageKit.js';

const StreamUsage = tsEnum({
  STREAM_USAGE_UNKNOWN: 0,
  /** Deprecated since 10: STREAM_USAGE_MUSIC. */
  STREAM_USAGE_MEDIA: 1,
  STREAM_USAGE_MUSIC: 1,
  STREAM_USAGE_VOICE_COMMUNICATION: 2,
  STREAM_USAGE_VOICE_ASSISTANT: 3,
  STREAM_USAGE_ALARM: 4,
  STREAM_USAGE_VOICE_MESSAGE: 5,
  /** Deprecated since 10: STREAM_USAGE_RINGTONE. */
  STREAM_USAGE_NOTIFICATION_RINGTONE: 6,
  STREAM_USAGE_RINGTONE: 6,
  STREAM_USAGE_NOTIFICATION: 7,
  STREAM_USAGE_ACCESSIBILITY: 8,
  STREAM_USAGE_MOVIE: 10,
  STREAM_USAGE_GAME: 11,
  STREAM_USAGE_AUDIOBOOK: 12,
  STREAM_USAGE_NAVIGATION: 13,
  STREAM_USAGE_VIDEO_COMMUNICATION: 17,
});

export const audio = { StreamUsage };

export default { audio };
