/**
 * Animated originals: every frame composed on the canvas, run through the
 * same steps as a still, encoded and dropped before the next is decoded, so
 * memory is the canvas, one frame in flight and the frames encoded so far.
 * When an animation cannot or should not be written as one, the still
 * pipeline serves its first frame instead, and says so.
 */
import {
  ANIMATED_OUTPUTS,
  composeFrames,
  composeMemory,
  encodedFrameMemory,
  openAnimationEncoder,
  readAnimation,
  type AnimatedOutput,
  type Animation,
} from '../codecs/animation';
import type { RowSink } from '../codecs/rows';
import type { ImageHeader, RgbaImage } from '../codecs/types';
import type { Config } from '../config';
import { transformTimeout } from '../errors';
import { chargedBytes } from '../lib/memory-meter';
import { nextTask } from '../lib/next-task';
import type { ResolvedSpec } from '../spec/transform-spec';
import { codecProblem } from './codec-problem';
import { assertAnimationFrames } from './limits';
import { connect, planTransform, type StageTimer, type TransformPlan } from './run';

export interface AnimationPlan {
  animation: Animation;
  format: AnimatedOutput;
  /** The plan of one frame: steps, output size and encoder options. */
  frame: TransformPlan;
  header: ImageHeader;
}

/** Why an animated original is served as its first frame; sent as `X-Edgepix-Animation: first-frame`. */
export type FirstFrameReason = 'format' | 'anim=false' | 'MAX_ANIMATION_PIXELS';

/** The original's frames, when it has more than one (a GIF or an animated WebP); its faults are the format's. */
export function animationOf(header: ImageHeader, bytes: Uint8Array): Animation | undefined {
  if (header.format !== 'gif' && !header.animated) return undefined;
  try {
    const animation = readAnimation(header.format, bytes);
    return animation && animation.frames.length > 1 ? animation : undefined;
  } catch (error) {
    throw codecProblem(error, header.format.toUpperCase());
  }
}

const isAnimatedOutput = (format: string): format is AnimatedOutput => (ANIMATED_OUTPUTS as readonly string[]).includes(format);

/**
 * Refuses an animation over MAX_ANIMATION_FRAMES (whatever is asked of it),
 * then plans it as an animation — or says why its first frame is served
 * instead: an output format without animation, `anim=false`, or more
 * frame area than MAX_ANIMATION_PIXELS (as Cloudflare serves the first
 * frame past its 50 MP).
 */
export function planAnimation(
  animation: Animation,
  header: ImageHeader,
  inputBytes: number,
  spec: ResolvedSpec,
  config: Config,
  /** An overlay drawn on every frame. */
  overlay?: RgbaImage,
): AnimationPlan | { firstFrame: FirstFrameReason } {
  assertAnimationFrames(animation.frames.length, config);
  const format = spec.format;
  if (!isAnimatedOutput(format)) return { firstFrame: 'format' };
  if (spec.anim === false) return { firstFrame: 'anim=false' };
  if (animation.frames.length * animation.width * animation.height > config.maxAnimationPixels) {
    return { firstFrame: 'MAX_ANIMATION_PIXELS' };
  }
  const frame = planTransform(header, inputBytes, spec, config, {
    overlay,
    frames: {
      compose: composeMemory(animation),
      encodedFrames: (output) => animation.frames.length * encodedFrameMemory(format, output.size),
    },
  });
  return { animation, format, frame, header };
}

/** Rows handed on at once; copied from the canvas, since in-place steps edit the bands they are lent. */
const BAND_ROWS = 64;

/** Writes the frame through the steps into its encoder; on a failure the chain is aborted, so the encoder frees what it holds. */
async function replayCopy(image: RgbaImage, sink: RowSink<void>): Promise<void> {
  const rowBytes = image.width * 4;
  const band = new Uint8Array(BAND_ROWS * rowBytes);
  try {
    for (let y = 0; y < image.height; y += BAND_ROWS) {
      const count = Math.min(BAND_ROWS, image.height - y);
      band.set(image.data.subarray(y * rowBytes, (y + count) * rowBytes));
      sink.write(band, count);
    }
    return await sink.close();
  } catch (error) {
    sink.abort();
    throw error;
  }
}

/** Composes, transforms and encodes frame after frame; the animated file. */
export async function runAnimation(plan: AnimationPlan, time: StageTimer): Promise<Uint8Array> {
  const { animation, frame, header } = plan;
  const deadline = frame.timeLimitMs > 0 ? Date.now() + frame.timeLimitMs : Infinity;
  const encoder = openAnimationEncoder(plan.format, frame.output.size, animation.loops, frame.output.options);
  await time('decode', async () => {
    try {
      let index = 0;
      for await (const canvas of composeFrames(animation)) {
        if (Date.now() > deadline) throw transformTimeout(frame.timeLimitMs / 1000);
        const sink = encoder.frame(animation.frames[index++]!.delayMs);
        await replayCopy(canvas, connect(canvas, header, frame, () => sink));
        chargedBytes(); // every frame: canvas, steps, encoder and the frames so far
        // A long animation would hold the isolate's thread for seconds: other requests' I/O gets a turn between frames.
        await nextTask();
      }
    } catch (error) {
      throw codecProblem(error, header.format.toUpperCase());
    }
  });
  return time('encode', () => encoder.finish());
}
