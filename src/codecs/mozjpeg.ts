/**
 * MozJPEG (@jsquash/jpeg's build), for the optimize pass only: slower than
 * our libjpeg-turbo, smaller at the same quality (trellis quantisation,
 * tuned tables, optimised progressive scans). It needs the whole RGBA
 * picture; its Emscripten module is instantiated by us from the imported
 * module, one instance per job (./wasm-codec.ts).
 */
import mozjpegEncoder, { type EncodeOptions as MozjpegOptions, type MozJPEGModule } from '@jsquash/jpeg/codec/enc/mozjpeg_enc.js';
import encodeWasm from '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm';
import { defaultOptions } from '@jsquash/jpeg/meta.js';
import type { RgbaImage, Size } from './types';
import { emscriptenCodec, JSQUASH_INITIAL_MEMORY, type EmscriptenFactory } from './wasm-codec';

const encoder = emscriptenCodec(encodeWasm, mozjpegEncoder as unknown as EmscriptenFactory<MozJPEGModule>);

/** The settings mozjpeg runs with besides quality (see bench/COMPRESSION-NOTES.md for how they were chosen). */
export type MozjpegSettings = Partial<Omit<MozjpegOptions, 'quality'>>;

/** Encodes a whole opaque picture (alpha is dropped) at `quality` 1–100. */
export const encodeMozjpeg = (image: RgbaImage, quality: number, settings: MozjpegSettings): Promise<Uint8Array> =>
  encoder.run((mozjpeg) => mozjpeg.encode(image.data, image.width, image.height, { ...defaultOptions, ...settings, quality }));

/**
 * Its heap's peak for a picture of `size`, measured in Node: it starts at
 * 16 MiB and grew to 64 MiB for a 4 MP photo (16.7 B a pixel in all) and
 * to 92 MiB for 4 MP of noise (23 B a pixel), the worst case counted.
 */
export const mozjpegEncodeMemory = ({ width, height }: Size): number => Math.max(JSQUASH_INITIAL_MEMORY, 23 * width * height);
