/*
 * @kit.PushKit, the part the app calls, written from Huawei's public Push Kit API reference:
 *   pushService: https://developer.huawei.com/consumer/en/doc/harmonyos-references/push-pushservice
 *   pushCommon:  https://developer.huawei.com/consumer/en/doc/doccenter-references/api/push-pushcommon/
 * The real declarations ship with the HarmonyOS SDK's HMS part (not on npm); ../shared/tools/realcheck
 * checks the app against those, so a signature here that disagrees with them is a bug here.
 */
declare module '@kit.PushKit' {
  import type { AsyncCallback, Callback } from '@ohos.base';
  import type Ability from '@ohos.app.ability.Ability';

  namespace pushCommon {
    /** What receiveMessage hands over: `data` is a JSON string (for VoIP: its `data` field holds extraData). */
    interface PushPayload {
      type: string;
      data: string;
    }

    enum AppProfileType {
      /** HUAWEI ID. */
      PROFILE_TYPE_OS_DISTRIBUTED_ACCOUNT = 1,
      /** The app's own account. */
      PROFILE_TYPE_APPLICATION_ACCOUNT = 2
    }
  }

  namespace pushService {
    /** Message types receiveMessage can subscribe to. */
    type PushType = 'DEFAULT' | 'IM' | 'VoIP' | 'BACKGROUND' | 'EMERGENCY';

    /** The device's push token. Errors: 1000900010 illegal app identity, 1000900011 no network, ... */
    function getToken(callback: AsyncCallback<string>): void;
    function getToken(): Promise<string>;

    function deleteToken(callback: AsyncCallback<void>): void;
    function deleteToken(): Promise<void>;

    /** Delivers messages of `pushType` to `ability` (which must declare action.ohos.push.listener). */
    function receiveMessage(pushType: PushType, ability: Ability, onMessage: Callback<pushCommon.PushPayload>): void;

    function bindAppProfileId(appProfileType: pushCommon.AppProfileType, appProfileId: string,
      callback: AsyncCallback<void>): void;
    function bindAppProfileId(appProfileType: pushCommon.AppProfileType, appProfileId: string): Promise<void>;

    function unbindAppProfileId(appProfileId: string, callback: AsyncCallback<void>): void;
    function unbindAppProfileId(appProfileId: string): Promise<void>;
  }

  export { pushCommon, pushService };
}
