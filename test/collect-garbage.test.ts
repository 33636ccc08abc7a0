/**
 * The collection after a transform (src/lib/collect-garbage.ts), in workerd:
 * what a codec dropped is collected by allocation pressure, not by V8's
 * last-resort collection (which throws compiled code away, and WASM code
 * compiled again stays resident beside the old).
 */
import { describe, expect, it } from 'vitest';
import { collectGarbage, noteDroppedMemory, noteGarbage } from '../src/lib/collect-garbage';

const MiB = 1024 * 1024;

/** A codec's memory, grown and dropped: only a WeakRef to it is left. */
function dropMemory(bytes: number): WeakRef<WebAssembly.Memory> {
  const memory = new WebAssembly.Memory({ initial: bytes / 65536 });
  new Uint8Array(memory.buffer).fill(1); // resident, as a used heap is
  noteDroppedMemory(memory);
  return new WeakRef(memory);
}

describe('collectGarbage', () => {
  it('leaves a thumbnail’s garbage to V8', async () => {
    noteGarbage(MiB);
    expect(await collectGarbage()).toBe('skipped');
  });

  it('collects a dropped memory by allocation pressure alone', async () => {
    const dropped = dropMemory(32 * MiB);
    expect(await collectGarbage()).toBe('pressure');
    expect(dropped.deref()).toBeUndefined();
  });

  it('collects the noted buffers too', async () => {
    let buffer: Uint8Array | undefined = new Uint8Array(24 * MiB).fill(1);
    noteGarbage(buffer.byteLength);
    const ref = new WeakRef(buffer.buffer);
    buffer = undefined;
    expect(await collectGarbage()).toBe('pressure');
    expect(ref.deref()).toBeUndefined();
  });

  it('falls back to the last resort when a dropped memory is still held, for that collection only', async () => {
    const held = new WebAssembly.Memory({ initial: 256 });
    noteDroppedMemory(held);
    expect(await collectGarbage()).toBe('last-resort');
    const dropped = dropMemory(32 * MiB);
    expect(await collectGarbage()).toBe('pressure');
    expect(dropped.deref()).toBeUndefined();
    expect(held.buffer.byteLength).toBe(16 * MiB);
  });
});
