/**
 * MozJPEG (@jsquash/jpeg's build), for the optimize pass only: slower than
 * our libjpeg-turbo, smaller at the same quality (trellis quantisation,
 * tuned tables, optimised progressive scans). It needs the whole RGBA
 * picture; its Emscripten module is instantiated by us from the imported
 * module, so after a big job its memory is let go (./wasm-codec.ts).
 */
import encode, { init as initEncode } from '@jsquash/jpeg/encode.js';
import type { EncodeOptions as MozjpegOptions } from '@jsquash/jpeg/meta.js';
import encodeWasm from '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm';
import type { RgbaImage, Size } from './types';
import { asImageData, emscriptenCodec, type EmscriptenInit } from './wasm-codec';

const encoder = emscriptenCodec(encodeWasm, initEncode as EmscriptenInit);

/** The settings mozjpeg runs with besides quality (see bench/COMPRESSION-NOTES.md for how they were chosen). */
export type MozjpegSettings = Partial<Omit<MozjpegOptions, 'quality'>>;

/** Encodes a whole opaque picture (alpha is dropped) at `quality` 1–100. */
export const encodeMozjpeg = (image: RgbaImage, quality: number, settings: MozjpegSettings): Promise<Uint8Array> =>
  encoder.run(async () => new Uint8Array(await encode(asImageData(image), { ...settings, quality })));

/**
 * Its heap's peak for a picture of `size`, measured in Node: it starts at
 * 16 MiB and grew to 64 MiB for a 4 MP photo (16.7 B a pixel in all) and
 * to 92 MiB for 4 MP of noise (23 B a pixel), the worst case counted.
 */
export const mozjpegEncodeMemory = ({ width, height }: Size): number => Math.max(16 * 1024 * 1024, 23 * width * height);
