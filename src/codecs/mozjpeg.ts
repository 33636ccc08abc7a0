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
 * Its heap's peak for a picture of `size`: the RGBA copy (4 B a pixel), the
 * coefficients a progressive file keeps (2 B a sample, 3 samples a pixel
 * at most), trellis' per-block state and the output.
 */
export const mozjpegEncodeMemory = ({ width, height }: Size): number => 12 * width * height + 4 * 1024 * 1024;
