/**
 * Renders an animation's frames one after another onto one canvas of the
 * logical screen, applying each frame's disposal before the next is drawn,
 * so every frame handed on is the full picture a viewer would see.
 */
import { trackBuffer } from '../../lib/memory-meter';
import type { Rect } from '../../lib/size';
import type { RgbaImage, Size } from '../types';
import type { Animation } from './types';

/** The part of `rect` inside the canvas. */
const clip = (rect: Rect, width: number, height: number): Rect => {
  const x = Math.min(rect.x, width);
  const y = Math.min(rect.y, height);
  return { x, y, width: Math.min(rect.width, width - x), height: Math.min(rect.height, height - y) };
};

function copyRect(canvas: Uint8ClampedArray, width: number, rect: Rect): Uint8ClampedArray {
  const saved = new Uint8ClampedArray(rect.width * rect.height * 4);
  for (let row = 0; row < rect.height; row++) {
    const from = ((rect.y + row) * width + rect.x) * 4;
    saved.set(canvas.subarray(from, from + rect.width * 4), row * rect.width * 4);
  }
  return saved;
}

function pasteRect(canvas: Uint8ClampedArray, width: number, rect: Rect, pixels?: Uint8ClampedArray): void {
  for (let row = 0; row < rect.height; row++) {
    const to = ((rect.y + row) * width + rect.x) * 4;
    if (pixels) canvas.set(pixels.subarray(row * rect.width * 4, (row + 1) * rect.width * 4), to);
    else canvas.fill(0, to, to + rect.width * 4);
  }
}

/** The canvas, and what a `previous` disposal saves (at most the canvas again). */
export const canvasMemory = (size: Size, savesPrevious: boolean) => size.width * size.height * 4 * (savesPrevious ? 2 : 1);

/** Bytes the compositor holds: the canvas, a saved rectangle, and one frame being decoded. */
export const composeMemory = (animation: Animation) =>
  canvasMemory(animation, animation.frames.some((frame) => frame.dispose === 'previous')) + animation.frameDecodeMemory;

/**
 * Yields the first `count` frames composed; the canvas is lent until the
 * next frame is asked for (the caller copies what must outlive that).
 */
export async function* composeFrames(animation: Animation, count = animation.frames.length): AsyncGenerator<RgbaImage> {
  const { width, height } = animation;
  const canvas = trackBuffer(new Uint8ClampedArray(width * height * 4));
  for (let index = 0; index < count; index++) {
    const frame = animation.frames[index]!;
    const rect = clip(frame, width, height);
    // Only a frame that follows needs what this one covers put back.
    const saved = frame.dispose === 'previous' && index < count - 1 ? trackBuffer(copyRect(canvas, width, rect)) : undefined;
    await animation.draw(index, canvas);
    yield { width, height, data: canvas };
    if (frame.dispose === 'background') pasteRect(canvas, width, rect);
    else if (saved) pasteRect(canvas, width, rect, saved);
  }
}

/** The first frame alone, as a picture of its own. */
export async function firstFrame(animation: Animation): Promise<RgbaImage> {
  for await (const frame of composeFrames(animation, 1)) return frame;
  throw new Error('the animation has no frame');
}
