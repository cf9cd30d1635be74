/*
 * @ohos/lottie (ohpm), the part the app uses, from the package README:
 * https://ohpm.openharmony.cn/#/cn/detail/@ohos%2Flottie
 */
declare module '@ohos/lottie' {
  export interface AnimationItem {
    name: string;
    isLoaded: boolean;
    play(name?: string): void;
    pause(name?: string): void;
    stop(name?: string): void;
    destroy(name?: string): void;
    setSpeed(speed: number): void;
  }

  export interface AnimationConfigWithPath {
    container: CanvasRenderingContext2D;
    renderer: 'canvas';
    loop?: boolean | number;
    autoplay?: boolean;
    name?: string;
    /** A path relative to the module's rawfile folder, e.g. 'common/lottie/ringing.json'. */
    path: string;
  }

  export interface LottiePlayer {
    loadAnimation(params: AnimationConfigWithPath): AnimationItem;
    destroy(name?: string): void;
  }

  const lottie: LottiePlayer;
  export default lottie;
}
