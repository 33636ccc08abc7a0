/**
 * Runs a transformation: plan once from the header and check what it will
 * cost, then stream the decoder's rows through the steps into the encoder.
 */
import { CODECS } from '../codecs';
import { heldCodecMemory, letGoIdleCodecHeap } from '../codecs/shared-wasm';
import type { EncodedInput } from '../codecs/codec';
import { collect, type RowSink } from '../codecs/rows';
import type { DecodeHint, ImageHeader, RgbaImage, Size } from '../codecs/types';
import type { Config } from '../config';
import { codecProblem } from './codec-problem';
import { transformTimeout } from '../errors';
import { collectGarbage } from '../lib/collect-garbage';
import { chargedBytes, trackBuffer } from '../lib/memory-meter';
import { assertInputPixels, assertOutputSize, assertWorkingMemory } from './limits';
import type { ResolvedSpec } from '../spec/transform-spec';
import { srgbConversion } from './colour-profile';
import { outputChoices, outputMemory, type OutputPlan } from './encode';
import { minimumDecodeSize, planGeometry } from './geometry';
import { orientSize, unorientedRect } from './orientation';
import type { Stage, Step, StepContext } from './step';
import { blur } from './steps/blur';
import { equalize } from './steps/equalize';
import { noise } from './steps/noise';
import { border } from './steps/border';
import { crop } from './steps/crop';
import { flatten } from './steps/flatten';
import { flip } from './steps/flip';
import { grayscale } from './steps/grayscale';
import { orient } from './steps/orient';
import { overlay } from './steps/overlay';
import { pad } from './steps/pad';
import { resize } from './steps/resize';
import { rotate } from './steps/rotate';
import { roundCorners } from './steps/round-corners';
import { saturation } from './steps/saturation';
import { sharpen } from './steps/sharpen';
import { shrink } from './steps/shrink';
import { tone } from './steps/tone';
import { toSrgb } from './steps/to-srgb';

/**
 * Crop precedes the resampling so only kept pixels are touched; the box
 * shrink precedes Lanczos to hand it a small image; orient runs after both,
 * on the smallest image (geometry was planned upright and mapped back),
 * and so does the conversion from the original's colour profile to sRGB;
 * pad, flip and rotate work on the upright output (the planned canvas is
 * upright); the effects (both dialects' filters) follow in one fixed order so
 * equal specs give equal bytes — colour first (grayscale, saturation, then
 * brightness, contrast and gamma as one table), then detail, then the
 * overlay, round corners and a border; flatten is last so padding and effects get
 * the same background as transparent pixels.
 */
const STEPS: readonly Step[] = [
  crop, shrink, resize, orient, toSrgb, pad, flip, rotate, grayscale, saturation, tone, equalize, blur, sharpen, noise, overlay, roundCorners, border, flatten,
];

/** Measures one stage; the caller decides where timings go (Server-Timing). */
export type StageTimer = <T>(stage: string, work: () => Promise<T> | T) => Promise<T>;

export interface TransformPlan {
  context: StepContext;
  hint: DecodeHint;
  output: OutputPlan;
  /** TRANSFORM_TIME_LIMIT in ms (0: none), checked after every band of rows. */
  timeLimitMs: number;
}

/** Geometry for an image of `source` in its file's frame: planned upright, then mapped back to that frame. */
function planSteps(source: Size, orientation: number, spec: ResolvedSpec, extras: Pick<StepContext, 'overlay' | 'colour' | 'opaque'>): StepContext {
  const geometry = planGeometry(orientSize(source, orientation), spec);
  const unoriented = {
    source,
    region: unorientedRect(geometry.region, orientation, source),
    scaled: orientSize(geometry.scaled, orientation),
  };
  return { spec, orientation, geometry, unoriented, ...extras };
}

/**
 * Every alpha the decoder gives is 255: the header rules transparency out,
 * and the decoder makes none of its own (a GIF's and an animation's canvas
 * starts transparent; VP8L's alpha bit is only a hint).
 */
const surelyOpaque = (header: ImageHeader) => !header.hasAlpha && header.format !== 'gif' && !header.animated && !header.lossless;

/** The stages that turn a picture decoded at `decoded` into the output, in order. */
function stagesFor(decoded: Size, context: StepContext): Stage[] {
  const stages: Stage[] = [];
  let size = decoded;
  for (const step of STEPS) {
    const stage = step(size, context);
    if (!stage) continue;
    stages.push(stage);
    size = stage.output;
  }
  return stages;
}

/** The size of the picture an overlay is drawn on: the planned output, turned (a border comes after). */
export function drawnSize(header: ImageHeader, spec: ResolvedSpec): Size {
  const { output } = planGeometry(orientSize(header, header.orientation), spec);
  return spec.rotate === 90 || spec.rotate === 270 ? { width: output.height, height: output.width } : output;
}

const outputOf = (decoded: Size, stages: Stage[]) => stages.at(-1)?.output ?? decoded;

/** An animation's costs in place of a still's: the compositor instead of a decoder, and the frames encoded so far. */
export interface FrameCosts {
  compose: number;
  encodedFrames: (output: OutputPlan) => number;
}

/** What a plan needs besides the header and spec: an overlay's pixels, or an animation frame's costs. */
export interface PlanExtras {
  overlay?: RgbaImage;
  frames?: FrameCosts;
}

/** Checks every limit and plans the work before any pixel is decoded; with `frames`, the work of one frame of an animation. */
export function planTransform(header: ImageHeader, inputBytes: number, spec: ResolvedSpec, config: Config, { overlay, frames }: PlanExtras = {}): TransformPlan {
  assertInputPixels(header, config);
  // metadata=keep keeps the original's profile, and so its colours as they are.
  const conversion = spec.metadata === 'keep' ? undefined : srgbConversion(header.iccProfile);
  const colour = conversion === 'unconverted' ? undefined : conversion;
  const context = planSteps({ width: header.width, height: header.height }, header.orientation, spec, { opaque: surelyOpaque(header), ...(overlay && { overlay }), ...(colour && { colour }) });
  assertOutputSize(context.geometry.output, config);
  // The decoder works in the file's own frame, so the hint comes from the unoriented plan.
  const min = minimumDecodeSize(context.unoriented.source, context.unoriented);
  const hint = { minWidth: min.width, minHeight: min.height };
  const decoder = CODECS[header.format];
  const decoded = decoder.decodedSize(header, hint);
  const stages = stagesFor(decoded, context);
  // A border grows the picture past the geometry's output.
  assertOutputSize(outputOf(decoded, stages), config);
  // Rows stream, so decoder, steps and encoder hold their memory at the same time.
  const decoding = frames?.compose ?? decoder.decodeMemory(header, decoded);
  const stepping = stages.reduce((sum, stage) => sum + stage.memory, 0);
  const shared = inputBytes + decoding + stepping;
  const encoding = (output: OutputPlan) => outputMemory(output) + (frames?.encodedFrames(output) ?? 0);
  // An encoder with a heap of its own (aom) adds to the shared codec heap as it stands (kept small between
  // transforms, but it may hold more than this job needs): an animation's frames encode beside it; a still's
  // runPipeline lets it go before aom runs, so for a still this bounds the peak from above.
  const costOf = (output: OutputPlan) => (CODECS[output.format].ownHeap ? Math.max(heldCodecMemory(), shared) : shared) + encoding(output);
  // An animation's encoder is the format asked for: a fallback to another format would encode a still.
  // A still's pipeline can decode its original again (runPipeline); an animation's frame cannot.
  const choices = outputChoices(outputOf(decoded, stages), header, context, !frames).filter((choice) => !frames || choice.format === spec.format);
  const chosen = choices.find((choice) => costOf(choice) <= config.maxWorkingMemory) ?? choices.at(-1)!;
  // A profile it could not apply is named with the fallbacks, so every tier says so.
  const output = conversion === 'unconverted' ? { ...chosen, fallbacks: [...chosen.fallbacks, 'icc-unconverted'] } : chosen;
  const parts = {
    input: inputBytes,
    [frames ? 'composing' : 'decoding']: decoding,
    steps: stepping,
    encoding: outputMemory(output),
    ...(frames && { 'encoded frames': frames.encodedFrames(output) }),
  };
  assertWorkingMemory(costOf(output), costDetail(header, decoded, output, parts), config);
  return { context, hint, output, timeLimitMs: config.transformTimeLimit * 1000 };
}

const mib = (bytes: number) => `${Math.ceil(bytes / (1024 * 1024))} MiB`;

/** What drives the cost, for the 413: the input, the decoded and output sizes, and each part in MiB. */
function costDetail(header: ImageHeader, decoded: Size, output: OutputPlan, parts: Record<string, number>): string {
  const source = `${header.width}×${header.height}${header.progressive ? ' progressive' : ''} ${header.format.toUpperCase()}`;
  const sizes = `decoded at ${decoded.width}×${decoded.height}, ${output.format.toUpperCase()} output at ${output.size.width}×${output.size.height}`;
  const amounts = Object.entries(parts).filter(([name, bytes]) => bytes > 0 || name !== 'steps');
  return `${source} ${sizes}: ${amounts.map(([name, bytes]) => `${name} ${mib(bytes)}`).join(', ')}`;
}

/**
 * The decoder has the last word on size: a header may describe a different
 * item than the one decoded (an AVIF grid, say). Shrink-on-load keeps the
 * aspect ratio up to a pixel of rounding.
 */
const sameShape = (image: Size, header: Size) =>
  Math.abs(image.width / image.height - header.width / header.height) <= 1 / Math.min(image.width, image.height);

/** Wires the steps for the size actually decoded in front of the sink that `end` opens for the output. */
export function connect<T>(decoded: Size, header: ImageHeader, plan: TransformPlan, end: (output: Size) => RowSink<T>): RowSink<T> {
  const { spec, overlay, colour, opaque } = plan.context;
  const context = sameShape(decoded, header) ? plan.context : planSteps(decoded, header.orientation, spec, { overlay, colour, opaque });
  const stages = stagesFor(decoded, context);
  return stages.reduceRight<RowSink<T>>((next, stage) => stage.connect(next), end(outputOf(decoded, stages)));
}

async function decodeThrough<T>(input: EncodedInput, header: ImageHeader, plan: TransformPlan, end: (output: Size) => RowSink<T>): Promise<T> {
  try {
    return await CODECS[header.format].decodeRows(input, header, plan.hint, (decoded) => connect(decoded, header, plan, end));
  } catch (error) {
    throw codecProblem(error, header.format.toUpperCase());
  }
}


/** The output's pixels, before encoding (placeholders). */
export function renderPixels(input: EncodedInput, header: ImageHeader, plan: TransformPlan): Promise<RgbaImage> {
  return decodeThrough(input, header, plan, collect);
}

/** What the end of a pass resolves to when the encoder needs every row once more. */
const ANOTHER_PASS = Symbol('another pass');

/**
 * Decodes, transforms and encodes; the encoder's file. Rows are resized and
 * handed to the encoder as they are decoded, so `decode` times that whole
 * pass and `encode` what the encoder does once it has every row. An encoder
 * that reads the picture in passes (a big WebP) gets the original decoded
 * again, through the same steps, for each further pass: `open` gives its
 * bytes, or a new stream of them.
 */
export async function runPipeline(open: () => Promise<EncodedInput>, header: ImageHeader, plan: TransformPlan, time: StageTimer): Promise<Uint8Array> {
  // Deployed, Date.now() moves only at I/O (a streamed original's reads), so the limit then catches
  // slow I/O rather than CPU; Workers' own CPU limit ends a pass that computes too long.
  const deadline = plan.timeLimitMs > 0 ? Date.now() + plan.timeLimitMs : Infinity;
  let sink: RowSink<Uint8Array> | undefined;
  // The encoder finishes once the decode has returned: the decoder's and the steps' frames, which hold
  // the codec heap they let go, are gone by then.
  const encoder = (size: Size): RowSink<(() => Promise<Uint8Array>) | typeof ANOTHER_PASS> => {
    sink ??= plan.output.open(size);
    const into = sink;
    return {
      write(band, count) {
        if (Date.now() > deadline) throw transformTimeout(plan.timeLimitMs / 1000);
        into.write(band, count);
        chargedBytes(); // every band: what decoder, steps and encoder hold together
      },
      close: async () => (into.endPass?.() ? ANOTHER_PASS : () => into.close()),
      abort: () => into.abort(),
    };
  };
  const pass = (stage: string) => time(stage, async () => decodeThrough(await open(), header, plan, encoder));
  try {
    let finish = await pass('decode');
    while (finish === ANOTHER_PASS) finish = await pass('redecode');
    // aom grows a heap of its own (~40 bytes a pixel): the codec heap the decode used, grown or kept,
    // is let go and collected first rather than left resident beside it. Against an encode of
    // 0.3-1.5 s, the collection's few ms are worth it whatever it frees.
    if (CODECS[plan.output.format].ownHeap) {
      letGoIdleCodecHeap();
      await collectGarbage(0);
    }
    const output = await time('encode', async () => trackBuffer(await finish()));
    chargedBytes();
    return output;
  } catch (error) {
    // A later pass that failed before its decoder opened the sink, or a failed finish, leaves the encoder
    // to free here (abort is idempotent).
    sink?.abort();
    throw error;
  }
}
