/**
 * Reading a PNG's bytes in order from a stream (or one array) without
 * gathering them: the signature, chunk headers, small chunks whole, and
 * IDAT data as views of the stream's own chunks.
 */
import { crc32 } from './crc32';
import { PngError } from './errors';
import { reusedBufferReader, type ChunkReader } from './reused-buffer-reader';

export const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
/** The spec's limit for a chunk length (and for width and height). */
export const MAX_UINT31 = 0x7fffffff;

const EMPTY = new Uint8Array(0);
/**
 * What one read of a byte stream waits for. Local R2 streams 4 KiB chunks, and a read (an event-loop
 * turn) per chunk cost ~0.2 s on a 24 MP PNG.
 */
const READ_AT_LEAST = 64 * 1024;

/** The input, read forwards: views where a request fits in the current chunk, copies where it spans two. */
export class ByteSource {
  private chunk: Uint8Array = EMPTY;
  private at = 0;
  private ended = false;

  private constructor(private readonly reader?: ChunkReader) {}

  static of(source: ReadableStream<Uint8Array> | Uint8Array): ByteSource {
    if (source instanceof Uint8Array) {
      const bytes = new ByteSource();
      bytes.chunk = source;
      bytes.ended = true;
      return bytes;
    }
    return new ByteSource(reusedBufferReader(source, READ_AT_LEAST, READ_AT_LEAST));
  }

  /** Between 1 and `max` bytes, a view valid until the next call (its buffer is reused); throws if the input ends first. */
  async some(max: number, what: string): Promise<Uint8Array> {
    while (this.at >= this.chunk.length) {
      if (this.ended || !this.reader) throw new PngError(`PNG ends inside ${what}`);
      await this.next();
    }
    const view = this.chunk.subarray(this.at, this.at + max);
    this.at += view.length;
    return view;
  }

  /** Exactly `n` bytes; throws if the input ends first. */
  async exactly(n: number, what: string): Promise<Uint8Array> {
    const first = await this.some(n, what);
    if (first.length === n) return first;
    const whole = new Uint8Array(n);
    whole.set(first);
    for (let filled = first.length; filled < n; ) {
      const more = await this.some(n - filled, what);
      whole.set(more, filled);
      filled += more.length;
    }
    return whole;
  }

  /** True once every byte was read (reads the next chunk to find out). */
  async atEnd(): Promise<boolean> {
    while (this.at >= this.chunk.length) {
      if (this.ended || !this.reader) return true;
      await this.next();
    }
    return false;
  }

  private async next(): Promise<void> {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await this.reader!.read();
    } catch (error) {
      // The source failed, not the file: its own error (a 413 over the byte cap, a 504 stall) stands.
      this.ended = true;
      throw error;
    }
    if (result.done) this.ended = true;
    else [this.chunk, this.at] = [result.value, 0];
  }

  /** Stops reading the input stream (the rest of the file is not needed, or the decode failed). */
  close(): void {
    this.chunk = EMPTY;
    if (this.reader && !this.ended) this.reader.cancel().catch(() => {});
    this.ended = true;
  }
}

export interface ChunkHeader {
  length: number;
  type: string;
  /** Running CRC over the type, ready to continue over the data. */
  crc: number;
}

/** Upper-case first letter: a decoder that does not know the chunk must stop. */
export const isCritical = (type: string) => (type.charCodeAt(0) & 0x20) === 0;

export async function readSignature(source: ByteSource): Promise<void> {
  const bytes = await source.exactly(8, 'the signature');
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== SIGNATURE[i]) throw new PngError(`not a PNG: signature byte ${i} is ${bytes[i]}, expected ${SIGNATURE[i]}`);
  }
}

export async function readChunkHeader(source: ByteSource): Promise<ChunkHeader> {
  const bytes = await source.exactly(8, 'a chunk header');
  const length = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const typeBytes = bytes.subarray(4, 8);
  const type = String.fromCharCode(...typeBytes);
  if (!/^[A-Za-z]{4}$/.test(type)) throw new PngError(`bad chunk type ${JSON.stringify(type)}`);
  if (length > MAX_UINT31) throw new PngError(`${type} chunk claims ${length} bytes`);
  return { length, type, crc: crc32(0, typeBytes) };
}

/** Reads the 4-byte CRC that ends a chunk and compares it with the running one. */
export async function checkCrc(source: ByteSource, header: ChunkHeader, crc: number): Promise<void> {
  const bytes = await source.exactly(4, `the ${header.type} CRC`);
  const stored = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  if (stored !== crc) throw new PngError(`${header.type} chunk CRC mismatch (stored ${hex(stored)}, computed ${hex(crc)})`);
}

/** A whole chunk's data, its CRC checked; for the small chunks read before IDAT. */
export async function readChunkData(source: ByteSource, header: ChunkHeader): Promise<Uint8Array> {
  const data = (await source.exactly(header.length, `the ${header.type} chunk`)).slice();
  await checkCrc(source, header, crc32(header.crc, data));
  return data;
}

/** Passes over a chunk's data and CRC unread (ancillary chunks we ignore, CRC errors included). */
export async function skipChunk(source: ByteSource, header: ChunkHeader): Promise<void> {
  for (let left = header.length + 4; left > 0; ) left -= (await source.some(left, `the ${header.type} chunk`)).length;
}

const hex = (n: number) => n.toString(16).padStart(8, '0');
