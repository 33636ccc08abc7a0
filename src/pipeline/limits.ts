/** Size limits, checked before any expensive work; each failure names the limit. */
import type { Config } from '../config';
import { tooLarge } from '../errors';
import type { ImageHeader, Size } from '../codecs/types';

export function assertOriginalBytes(bytes: number, config: Config): void {
  if (bytes > config.maxOriginalBytes) {
    throw tooLarge(`The original is ${bytes} bytes; the limit (MAX_ORIGINAL_BYTES) is ${config.maxOriginalBytes}.`);
  }
}

export function assertInputPixels(header: ImageHeader, config: Config): void {
  const pixels = header.width * header.height;
  if (pixels > config.maxInputPixels) {
    throw tooLarge(
      `The original is ${header.width}×${header.height} (${pixels} pixels); the limit (MAX_INPUT_PIXELS) is ${config.maxInputPixels}.`,
    );
  }
}

export function assertOutputSize(size: Size, config: Config): void {
  if (size.width > config.maxOutputDimension || size.height > config.maxOutputDimension) {
    throw tooLarge(
      `The output would be ${size.width}×${size.height}; the limit (MAX_OUTPUT_DIMENSION) is ${config.maxOutputDimension} pixels a side.`,
    );
  }
}

const MiB = 1024 * 1024;

/** `why` says what drives the cost, so the client learns what would fit. */
export function assertWorkingMemory(peakBytes: number, why: string, config: Config): void {
  if (peakBytes > config.maxWorkingMemory) {
    throw tooLarge(
      `Transforming this image needs about ${Math.ceil(peakBytes / MiB)} MiB (${why}); the limit (MAX_WORKING_MEMORY) is ${Math.floor(config.maxWorkingMemory / MiB)} MiB.`,
    );
  }
}

export function assertAnimationFrames(frames: number, config: Config): void {
  if (frames > config.maxAnimationFrames) {
    throw tooLarge(`The animation has ${frames} frames; the limit (MAX_ANIMATION_FRAMES) is ${config.maxAnimationFrames}.`);
  }
}
