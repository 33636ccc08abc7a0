/**
 * What this isolate holds that a transform makes grow: every WASM memory a
 * codec instantiated and every large buffer the pipeline allocates (the
 * original's bytes, whole pictures, encoded files) — dropped ones too, until
 * V8 collects them, since until then they are still charged to the isolate.
 * A WASM memory only grows, so reading it after a call bounds that call's
 * peak. workerd exposes no JS heap figure, so small objects are not counted.
 */
import { noteGarbage } from './collect-garbage';

const memories = new Set<WeakRef<WebAssembly.Memory>>();
const buffers = new Set<WeakRef<ArrayBufferLike>>();
let peak = 0;

/** Codecs call this once per instance they create. */
export function trackWasmMemory(memory: WebAssembly.Memory): void {
  memories.add(new WeakRef(memory));
}

/** The pipeline calls this for each buffer it allocates that can be large; it is also noted for the collection after the transform (./collect-garbage.ts). */
export function trackBuffer<T extends { buffer: ArrayBufferLike }>(view: T): T {
  buffers.add(new WeakRef(view.buffer));
  noteGarbage(view.buffer.byteLength);
  return view;
}

function sum<T>(refs: Set<WeakRef<T & object>>, size: (value: T) => number): number {
  let total = 0;
  for (const ref of refs) {
    const value = ref.deref();
    if (value) total += size(value);
    else refs.delete(ref);
  }
  return total;
}

/** Bytes charged now; also raises the peak since the last {@link resetPeak}. */
export function chargedBytes(): number {
  const now = sum(memories, (memory) => memory.buffer.byteLength) + sum(buffers, (buffer) => buffer.byteLength);
  peak = Math.max(peak, now);
  return now;
}

/** Starts a new peak from what is charged now, and returns that. */
export function resetPeak(): number {
  peak = 0;
  return chargedBytes();
}

export const peakBytes = () => peak;
