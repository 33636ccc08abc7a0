/**
 * Animated originals (GIF, animated WebP) read as frames on one canvas, and
 * animated outputs (WebP, GIF) written a frame at a time: the pipeline's
 * frame loop (src/pipeline/animate.ts) sits between the two.
 */
import { collect, type EncodeOptions, type RowSink } from '../rows';
import type { InputFormat, RgbaImage, Size } from '../types';
import { webp } from '../webp';
import { openGifWriter } from '../gif/encode';
import { gifAnimation } from './gif';
import type { Animation } from './types';
import { webpAnimation } from './webp';
import { isAnimatedWebp } from './riff';
import { muxAnimatedWebp, type EncodedFrame } from './webp-mux';
import { trackBuffer } from '../../lib/memory-meter';

export type { Animation } from './types';
export { composeFrames, composeMemory, firstFrame } from './compose';

/** The formats an animation can be written in. */
export const ANIMATED_OUTPUTS = ['webp', 'gif'] as const;
export type AnimatedOutput = (typeof ANIMATED_OUTPUTS)[number];

/** The original's frames, or undefined for a still (a WebP without animation, any other format). A GIF is always read. */
export function readAnimation(format: InputFormat, bytes: Uint8Array): Animation | undefined {
  if (format === 'gif') return gifAnimation(bytes);
  if (format === 'webp' && isAnimatedWebp(bytes)) return webpAnimation(bytes);
  return undefined;
}

export interface AnimationEncoder {
  /** The sink for the next frame's rows, at the output size. */
  frame(delayMs: number): RowSink<void>;
  /** The file, once every frame was written. */
  finish(): Uint8Array;
}

/** True when every pixel is opaque: such a GIF frame spends no palette entry on transparency. */
function isOpaque(image: RgbaImage): boolean {
  for (let i = 3; i < image.data.length; i += 4) if (image.data[i] !== 255) return false;
  return true;
}

/**
 * Encodes frames as they come; only their encoded bytes are kept. WebP
 * frames stream into libwebp (which leaves out the alpha plane of an opaque
 * frame itself); GIF frames are collected, to be quantised whole.
 */
export function openAnimationEncoder(format: AnimatedOutput, size: Size, loops: number, options: EncodeOptions): AnimationEncoder {
  if (format === 'gif') {
    const writer = openGifWriter(loops, options.hasAlpha);
    return {
      frame: (delayMs) => afterClose(collect(size), (image) => writer.frame(image, delayMs, options.hasAlpha && !isOpaque(image))),
      finish: () => writer.finish(),
    };
  }
  const frames: EncodedFrame[] = [];
  return {
    frame: (delayMs) => afterClose(webp.openEncoder(size, options), (file) => void frames.push({ webp: trackBuffer(file), delayMs })),
    finish: () => trackBuffer(muxAnimatedWebp(size, loops, frames)),
  };
}

function afterClose<T>(sink: RowSink<T>, then: (result: T) => void): RowSink<void> {
  return {
    write: (band, count) => sink.write(band, count),
    close: async () => then(await sink.close()),
    abort: () => sink.abort(),
  };
}

/**
 * What each frame encoded so far keeps: a generous bound on its file (a byte
 * a pixel for GIF, half for WebP), counted twice since the file is assembled
 * from the frames at the end. Encoding the next frame costs what the
 * format's still encoder does (its Codec's encodeMemory).
 */
export const encodedFrameMemory = (format: AnimatedOutput, size: Size) => 2 * size.width * size.height * (format === 'gif' ? 1 : 0.5);
