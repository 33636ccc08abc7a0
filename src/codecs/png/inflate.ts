/**
 * zlib data → a callback, through the runtime's native DecompressionStream,
 * holding at most about one input piece's worth of inflated bytes.
 *
 * workerd's DecompressionStream has no backpressure: each write() inflates
 * its whole input at once into an internal buffer. So the input is cut into
 * pieces sized from the compression ratio (aiming at ~64 KiB out, 256 B–16 KiB
 * in), and the next piece is written only once the readable has nothing left
 * to give. "Nothing left" is a read that came back shorter than its buffer
 * (a read takes every buffered byte it has room for), or else a read still
 * pending after a timer turn: a read of buffered bytes settles before a
 * zero-delay timer fires. Waiting for that turn after every piece left the
 * isolate idle for a third of a 24 MP PNG's decode, so it is the fallback.
 * Were either ever not so, the cost is one more piece buffered, never a
 * hang: the loop writes whenever the read is not answered. A write is never
 * awaited on its own, since in runtimes with backpressure (Node) it waits
 * for reads.
 *
 * The ratio is the larger of the average so far and the last piece's, so a
 * file that turns from noise to flat colour makes one 16 KiB write inflate
 * to at most ~16 MiB (deflate tops out near 1032:1), and the next pieces
 * shrink at once.
 */
import { PngError } from './errors';
import { reusedBufferReader } from './reused-buffer-reader';

/** Room for what a photo's 16 KiB piece inflates to, so one short read tells the piece is drained. */
const SCRATCH_BYTES = 128 * 1024;
const TARGET_OUT = 64 * 1024;
const MIN_PIECE = 256;
const MAX_PIECE = 16 * 1024;
/** Assumed before any output: small first pieces, so a bomb's first write stays small. */
const FIRST_RATIO = 64;

const IDLE = Symbol('idle');
const nextTurn = () => new Promise<typeof IDLE>((resolve) => setTimeout(resolve, 0, IDLE));

/**
 * Inflates the zlib stream made of `input`'s chunks, calling `onData` with
 * each inflated view (lent for the call only). Rejects with PngError on zlib
 * errors (strict: trailing bytes and early ends are errors); errors thrown by
 * `onData` stop the inflate and propagate unchanged.
 */
export async function inflate(input: AsyncIterator<Uint8Array>, onData: (bytes: Uint8Array) => void): Promise<void> {
  const stream = new DecompressionStream('deflate');
  const writer = stream.writable.getWriter();
  const reader = reusedBufferReader(stream.readable, SCRATCH_BYTES);
  let read: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  /** A write (or the close) in flight. Never awaited alone: elsewhere a write may wait for reads. */
  let writing: Promise<typeof WROTE> | undefined;
  const pieces = pieceMaker(input);
  let inputDone = false;
  let written = 0;
  let inflated = 0;
  let lastPiece = 0;
  let sinceLastPiece = 0;
  let finished = false;
  /** The last read came back short since the last write: the decompressor holds nothing more. */
  let drained = false;
  try {
    for (;;) {
      if (!read) {
        read = reader.read();
        read.catch(() => {});
      }
      let result: ReadableStreamReadResult<Uint8Array> | typeof IDLE | typeof WROTE = IDLE;
      if (!drained || writing || inputDone) {
        const waitFor = writing ?? (inputDone ? undefined : nextTurn());
        result = await zlib(waitFor ? Promise.race([read, waitFor]) : read);
      }
      if (result === WROTE) {
        writing = undefined;
      } else if (result !== IDLE) {
        read = undefined;
        if (result.done) {
          finished = true;
          return;
        }
        inflated += result.value.length;
        sinceLastPiece += result.value.length;
        drained = result.value.length < SCRATCH_BYTES;
        onData(result.value);
      } else {
        // The decompressor has nothing ready: feed it.
        const ratio = Math.max(inflated > 0 ? inflated / written : FIRST_RATIO, lastPiece > 0 ? sinceLastPiece / lastPiece : 0);
        drained = false;
        const chunk = await pieces.take(Math.max(MIN_PIECE, Math.min(MAX_PIECE, Math.floor(TARGET_OUT / ratio))));
        if (!chunk) {
          inputDone = true;
          writing = settled(writer.close());
        } else {
          written += chunk.length;
          [lastPiece, sinceLastPiece] = [chunk.length, 0];
          writing = settled(writer.write(chunk));
        }
      }
    }
  } finally {
    if (!finished) {
      writer.abort().catch(() => {});
      reader.cancel().catch(() => {});
    }
  }
}

/**
 * Cuts the input into pieces of the size asked for, whatever size its chunks
 * come in (up to 64 KiB from a byte stream, a stream's own chunks otherwise:
 * 4 KiB from local R2 read plainly): a write (and a timer turn) per 4 KiB
 * chunk cost as much as the inflating: a 24 MP RGB PNG's 72 MB took 570 ms,
 * 375 ms in whole pieces, ~220 ms for zlib alone.
 */
function pieceMaker(input: AsyncIterator<Uint8Array>) {
  /** What is left of the input's current chunk: a view, valid until the next `input.next()`, so copied out first. */
  let rest: Uint8Array = new Uint8Array(0);
  let ended = false;
  return {
    /** Up to `size` bytes (fewer only at the end); undefined once the input is done. */
    async take(size: number): Promise<Uint8Array | undefined> {
      const piece = new Uint8Array(size);
      let at = 0;
      while (at < size) {
        if (rest.length === 0) {
          const next = ended ? undefined : await input.next();
          if (!next || next.done) {
            ended = true;
            break;
          }
          rest = next.value;
        }
        const part = rest.subarray(0, size - at);
        piece.set(part, at);
        at += part.length;
        rest = rest.subarray(part.length);
      }
      return at === 0 ? undefined : piece.subarray(0, at);
    },
  };
}

const WROTE = Symbol('wrote');
function settled(promise: Promise<void>): Promise<typeof WROTE> {
  const done = promise.then((): typeof WROTE => WROTE);
  done.catch(() => {});
  return done;
}

/** The decompressor's own errors (TypeErrors from zlib) become PngErrors. */
async function zlib<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw new PngError(`corrupt image data: ${error instanceof Error ? error.message : String(error)}`);
  }
}
