/**
 * Reads animated outputs back without edgepix's code: a WebP's RIFF chunks
 * walked here, each ANMF frame decoded by jsquash's libwebp (every frame
 * edgepix writes covers the canvas); a GIF by omggif. And sharp's reading of
 * the animated fixtures (scripts/animation-goldens.mjs).
 */
import { GifReader } from 'omggif';
import { fixture } from './helpers';
import { inflateGolden, oracleDecode, type Golden, type Picture } from './oracle';

export interface ReadBack {
  width: number;
  height: number;
  loop: number;
  delay: number[];
  frames: Picture[];
}

const tag = (b: Uint8Array, at: number) => String.fromCharCode(...b.subarray(at, at + 4));
const le = (b: Uint8Array, at: number, n: number) => b.subarray(at, at + n).reduceRight((v, byte) => v * 256 + byte, 0);

/** [fourCC, payload] of each chunk from `at`. */
function chunks(b: Uint8Array, at: number): [string, Uint8Array, Uint8Array][] {
  const list: [string, Uint8Array, Uint8Array][] = [];
  while (at + 8 <= b.length) {
    const n = le(b, at + 4, 4);
    list.push([tag(b, at), b.subarray(at + 8, at + 8 + n), b.subarray(at, at + 8 + n + (n & 1))]);
    at += 8 + n + (n & 1);
  }
  return list;
}

export async function readAnimatedWebp(b: Uint8Array): Promise<ReadBack> {
  const out: ReadBack = { width: 0, height: 0, loop: -1, delay: [], frames: [] };
  for (const [type, p] of chunks(b, 12)) {
    if (type === 'VP8X') [out.width, out.height] = [le(p, 4, 3) + 1, le(p, 7, 3) + 1];
    if (type === 'ANIM') out.loop = le(p, 4, 2);
    if (type !== 'ANMF') continue;
    out.delay.push(le(p, 12, 3));
    const [w, h] = [le(p, 6, 3) + 1, le(p, 9, 3) + 1];
    const parts = chunks(p, 16).map(([, , whole]) => whole);
    const hasAlpha = parts.some((part) => tag(part, 0) === 'ALPH');
    const vp8x = new Uint8Array(18);
    vp8x.set([0x56, 0x50, 0x38, 0x58, 10, 0, 0, 0, 0x10, 0, 0, 0, (w - 1) & 255, (w - 1) >> 8, 0, (h - 1) & 255, (h - 1) >> 8, 0]);
    const body = [...(hasAlpha ? [vp8x] : []), ...parts];
    const size = body.reduce((s, part) => s + part.length, 4);
    const still = new Uint8Array(8 + size);
    still.set([0x52, 0x49, 0x46, 0x46, size & 255, (size >> 8) & 255, (size >> 16) & 255, size >>> 24, 0x57, 0x45, 0x42, 0x50]);
    body.reduce((at, part) => (still.set(part, at), at + part.length), 12);
    out.frames.push(await oracleDecode(still, 'webp'));
  }
  return out;
}

export function readGif(b: Uint8Array): ReadBack {
  const reader = new GifReader(b);
  const { width, height } = reader;
  const canvas = new Uint8ClampedArray(width * height * 4);
  // NETSCAPE2.0 counts repeats after the first play, 0 forever; none: played once.
  const repeats = reader.loopCount();
  const out: ReadBack = { width, height, loop: repeats === null ? 1 : repeats && repeats + 1, delay: [], frames: [] };
  for (let i = 0; i < reader.numFrames(); i++) {
    const info = reader.frameInfo(i);
    out.delay.push(info.delay * 10);
    if (i > 0 && reader.frameInfo(i - 1).disposal === 2) canvas.fill(0);
    reader.decodeAndBlitFrameRGBA(i, canvas);
    out.frames.push({ width, height, data: canvas.slice() });
  }
  return out;
}

interface AnimationGolden {
  width: number;
  height: number;
  pages: number;
  delay: number[];
  loop: number;
  frames: Golden[];
}

let goldens: Promise<Record<string, AnimationGolden>> | undefined;
/** sharp's reading of an animated fixture, every frame composed. */
export async function sharpFrames(name: string): Promise<Omit<ReadBack, 'frames'> & { frames: Picture[] }> {
  goldens ??= fixture('animation-golden/references.json').then((bytes) => JSON.parse(new TextDecoder().decode(bytes)));
  const golden = (await goldens)[name];
  if (!golden) throw new Error(`no golden ${name}: run node scripts/animation-goldens.mjs`);
  return { ...golden, frames: await Promise.all(golden.frames.map(inflateGolden)) };
}
