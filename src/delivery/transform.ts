/** A miss: read the original, plan within the limits, and run the pipeline (frame by frame for an animation). */
import { CODECS } from '../codecs';
import { probe } from '../codecs/probe';
import type { EncodedInput } from '../codecs/codec';
import type { ImageHeader, RgbaImage } from '../codecs/types';
import type { Config } from '../config';
import type { Env } from '../env';
import { originalChanged } from '../errors';
import { animationOf, planAnimation, runAnimation, type AnimationPlan, type FirstFrameReason } from '../pipeline/animate';
import { drawnSize, planTransform, renderPixels, runPipeline, type StageTimer, type TransformPlan } from '../pipeline/run';
import { orientSize } from '../pipeline/orientation';
import { salientGravity, SALIENCY_SIDE } from '../pipeline/saliency';
import { borderEdges, edgeColour } from '../pipeline/trim-border';
import { cropArea } from '../spec/crop-area';
import { DEFAULT_SPEC, type ResolvedSpec } from '../spec/transform-spec';
import { digestEtag, variantMeta, type VariantMeta } from '../storage/variants';
import { findOriginal, type Original } from './original';

export interface Transformed {
  output: Uint8Array;
  meta: VariantMeta;
  /** The original's size, from its header: for logs and metrics. */
  inputMegapixels: number;
}

/** How much of a streamed original is read for its header (a PNG's chunks before its pixels). */
const STREAM_HEAD_BYTES = 64 * 1024;
/** What a streamed original holds in memory at once: the runtime's chunks in flight. */
const STREAM_WINDOW_BYTES = 1024 * 1024;

/**
 * The original as its decoder wants it: whole, or — for a decoder that
 * streams — a header from a ranged read, and the stream opened only once
 * the plan is within the limits.
 */
async function readInput({ origin, version, traits }: Original) {
  if (CODECS[traits.format].streamsInput) {
    const header = probe(await origin.readHead(version, STREAM_HEAD_BYTES));
    return { header, inputBytes: STREAM_WINDOW_BYTES, input: () => origin.stream(version), bytes: undefined };
  }
  const bytes = await origin.read(version);
  return { header: probe(bytes), inputBytes: bytes.length, input: async () => bytes, bytes };
}

const untimed: StageTimer = (_stage, work) => Promise.resolve(work());

/** A border trim's largest working copy: a few pixels' precision on a phone photo, exact below this size. */
const TRIM_COPY_SIDE = 1024;

/**
 * The original read as its decoder wants it, and the plan for `spec` within
 * the limits. What the content decides is settled first, each on a copy
 * decoded by a plan of its own (so within the same limits, and before the
 * full decode, never beside it): a border trim's edges, fill(auto)'s
 * background, then gravity=auto.
 */
export interface Planned {
  /** Opens the original for its decoder: the bytes, or a new stream of them. */
  input: () => Promise<EncodedInput>;
  header: ImageHeader;
  /** The still's plan, or one frame's when the original is animated. */
  plan: TransformPlan;
  /** An animated original: how its frames are made, or why its first frame alone is served. */
  animation?: AnimationPlan | { firstFrame: FirstFrameReason };
}

export async function planFor(env: Env, original: Original, spec: ResolvedSpec, config: Config, time: StageTimer = untimed): Promise<Planned> {
  const { input, header, inputBytes, bytes } = await time('read', () => readInput(original));
  const copy = (side: number, of: ResolvedSpec) => time('analyse', async () => {
    const copySpec: ResolvedSpec = { ...DEFAULT_SPEC, crop: of.crop, trim: of.trim, width: side, height: side, format: 'png' };
    return renderPixels(await input(), header, planTransform(header, inputBytes, copySpec, config));
  });
  let settled = spec;
  if (spec.trim && 'border' in spec.trim) {
    const { keep } = spec.trim.border;
    const area = cropArea(orientSize(header, header.orientation), { ...spec, trim: undefined });
    const picture = await copy(TRIM_COPY_SIDE, { ...spec, trim: undefined });
    const found = borderEdges(picture, spec.trim.border);
    // To the original's pixels, rounding towards keeping more: a trim never cuts into the picture.
    const edge = (copyPixels: number, scale: number) => Math.max(0, Math.floor(copyPixels * scale) - keep);
    const sx = area.width / picture.width;
    const sy = area.height / picture.height;
    settled = { ...settled, trim: { top: edge(found.top, sy), right: edge(found.right, sx), bottom: edge(found.bottom, sy), left: edge(found.left, sx) } };
  }
  if (spec.edgeBackground) settled = { ...settled, background: edgeColour(await copy(SALIENCY_SIDE, settled)) };
  if (spec.smart && (spec.fit === 'cover' || spec.fit === 'crop') && spec.width !== undefined && spec.height !== undefined) {
    settled = { ...settled, gravity: await salientGravity(await copy(SALIENCY_SIDE, settled), { width: spec.width, height: spec.height }) };
  }
  const overlay = settled.draw && (await time('overlay', () => renderOverlay(env, settled, header, config)));
  const frames = bytes && animationOf(header, bytes);
  const animation = frames && planAnimation(frames, header, inputBytes, settled, config, overlay);
  if (animation && !('firstFrame' in animation)) return { input, header, plan: animation.frame, animation };
  return { input, header, plan: planTransform(header, inputBytes, settled, config, { overlay }), ...(animation && { animation }) };
}

/**
 * The overlay's pixels at the size they are drawn: its own original, read
 * and planned like any (so within the same limits), fitted into its box —
 * pixels, or shares of the picture it is drawn on — and turned.
 */
async function renderOverlay(env: Env, spec: ResolvedSpec, header: ImageHeader, config: Config): Promise<RgbaImage> {
  const draw = spec.draw!;
  const overlaid = await findOriginal(env, draw.key, config);
  // The variant key named this version of the overlay; another one means it changed meanwhile.
  if (draw.etag !== undefined && overlaid.version.etag !== draw.etag) throw originalChanged();
  const room = drawnSize(header, spec);
  const side = (pixels: number | undefined, share: number | undefined, of: number) =>
    pixels ?? (share === undefined ? undefined : Math.max(1, Math.round(share * of)));
  const box: ResolvedSpec = {
    ...DEFAULT_SPEC,
    width: side(draw.width, draw.widthShare, room.width),
    height: side(draw.height, draw.heightShare, room.height),
    fit: draw.fit,
    format: 'png',
    ...(draw.rotate && { rotate: draw.rotate }),
    ...(draw.background && { background: draw.background }),
  };
  const { input, header: overlayHeader, plan } = await planFor(env, overlaid, box, config);
  return renderPixels(await input(), overlayHeader, plan);
}

const megapixels = (header: ImageHeader) => Math.round((header.width * header.height) / 1e4) / 100;

export async function transform(
  env: Env,
  original: Original,
  spec: ResolvedSpec,
  config: Config,
  time: StageTimer = untimed,
): Promise<Transformed> {
  const { input, header, plan, animation } = await planFor(env, original, spec, config, time);
  if (animation && !('firstFrame' in animation)) {
    const output = await runAnimation(animation, time);
    return { output, meta: variantMeta(animation.format, await digestEtag(output)), inputMegapixels: megapixels(header) };
  }
  const output = await runPipeline(input, header, plan, time);
  const meta = variantMeta(plan.output.format, await digestEtag(output), plan.output.fallbacks, animation ? 'first-frame' : undefined);
  return { output, meta, inputMegapixels: megapixels(header) };
}
