/** What an animated original is, independent of its container (GIF or animated WebP). */
import type { Rect } from '../../lib/size';
import type { Size } from '../types';

export interface AnimationFrame extends Rect {
  delayMs: number;
  /** After the frame was shown: keep it, clear its rectangle to transparent, or put back what was under it. */
  dispose: 'none' | 'background' | 'previous';
  /** True: composited over the canvas (alpha-blended, or GIF's transparent index); false: replaces its rectangle. */
  blend: boolean;
}

export interface Animation extends Size {
  /** Times the animation plays, WebP's way: 0 is forever. */
  loops: number;
  frames: AnimationFrame[];
  /** Draws frame `index` onto `canvas` (the whole logical screen, RGBA) as the frame's blend says. */
  draw(index: number, canvas: Uint8ClampedArray): Promise<void>;
  /** Bytes the container's decoder holds while drawing one frame, besides the canvas. */
  frameDecodeMemory: number;
}
