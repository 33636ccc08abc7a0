/**
 * What this isolate holds in memory that a transform can make grow: every
 * WASM memory a codec instantiated (dropped instances too, until V8 collects
 * them) and the large buffers the pipeline allocates. A WASM memory only
 * grows, so reading it after a call bounds that call's peak.
 */
const memories = new Set<WeakRef<WebAssembly.Memory>>();

/** Codecs call this once per instance they create. */
export function trackWasmMemory(memory: WebAssembly.Memory): void {
  memories.add(new WeakRef(memory));
}

/** Σ byteLength of every WASM memory not yet collected. */
export function wasmBytes(): number {
  let total = 0;
  for (const ref of memories) {
    const memory = ref.deref();
    if (memory) total += memory.buffer.byteLength;
    else memories.delete(ref);
  }
  return total;
}
