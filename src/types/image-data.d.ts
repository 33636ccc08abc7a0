// jsquash's typings (the tests use its decoders) name the DOM's ImageData, which Workers
// lack; src/codecs/wasm-codec.ts installs a structural one at runtime, and this is its shape.
interface ImageData {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
  readonly colorSpace: string;
}
