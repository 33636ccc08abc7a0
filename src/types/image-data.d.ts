// jsquash's typings use the DOM's ImageData, which Workers lack; jsquash installs
// a structural polyfill at runtime, and this is its shape.
interface ImageData {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
  readonly colorSpace: string;
}
