/**
 * The TypeScript PNG decoder and encoder (src/codecs/png/), in workerd.
 * Goldens are sharp's 8-bit RGBA for each PngSuite file, written by
 * scripts/png-goldens.mjs into test/fixtures/png-golden/pngsuite.json.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../src/codecs/rows';
import type { RgbaImage, Size } from '../src/codecs/types';
import { decodePngRows, PngError, pngDecodeMemory } from '../src/codecs/png/decode-rows';
import { openPngEncoder } from '../src/codecs/png/encode-rows';
import { inflate } from '../src/codecs/png/inflate';
import { fixture } from './helpers';

interface Golden extends Size {
  rgba: Uint8Array;
}

let goldens: Map<string, Golden>;

beforeAll(async () => {
  const json = JSON.parse(new TextDecoder().decode(await fixture('png-golden/pngsuite.json'))) as Record<string, Size & { rgba: string }>;
  goldens = new Map();
  for (const [name, { width, height, rgba }] of Object.entries(json)) {
    goldens.set(name, { width, height, rgba: await inflateAll(Uint8Array.from(atob(rgba), (c) => c.charCodeAt(0))) });
  }
});

// ——— helpers that share no code with src/codecs/png ———

async function streamAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
const inflateAll = (bytes: Uint8Array) => streamAll(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate')));
const deflateAll = (bytes: Uint8Array) => streamAll(new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate')));

/** Bit-by-bit CRC-32, deliberately not the decoder's table-driven one. */
function referenceCrc(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

type Chunk = [type: string, data: Uint8Array];

function parseChunks(file: Uint8Array): Chunk[] {
  const dv = new DataView(file.buffer, file.byteOffset, file.length);
  const chunks: Chunk[] = [];
  for (let at = 8; at + 12 <= file.length; ) {
    const length = dv.getUint32(at);
    const type = String.fromCharCode(...file.subarray(at + 4, at + 8));
    chunks.push([type, file.slice(at + 8, at + 8 + length)]);
    expect(dv.getUint32(at + 8 + length), `${type} CRC`).toBe(referenceCrc(file.subarray(at + 4, at + 8 + length)));
    at += 12 + length;
  }
  return chunks;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A PNG from chunks, each with a correct CRC unless `badCrc` names it. */
function buildPng(chunks: Chunk[], badCrc?: string): Uint8Array {
  const out = new Uint8Array(8 + chunks.reduce((sum, [, d]) => sum + 12 + d.length, 0));
  out.set(SIGNATURE);
  const dv = new DataView(out.buffer);
  let at = 8;
  for (const [type, data] of chunks) {
    dv.setUint32(at, data.length);
    for (let i = 0; i < 4; i++) out[at + 4 + i] = type.charCodeAt(i);
    out.set(data, at + 8);
    const crc = referenceCrc(out.subarray(at + 4, at + 8 + data.length));
    dv.setUint32(at + 8 + data.length, type === badCrc ? crc ^ 1 : crc);
    at += 12 + data.length;
  }
  return out;
}

function ihdr(width: number, height: number, bitDepth: number, colorType: number, interlace = 0): Chunk {
  const data = new Uint8Array(13);
  const dv = new DataView(data.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  data.set([bitDepth, colorType, 0, 0, interlace], 8);
  return ['IHDR', data];
}

/** 8-bit grey rows, filter None, of `value`. */
const greyRows = (width: number, height: number, value = 0) => {
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) raw.fill(value, y * (width + 1) + 1, (y + 1) * (width + 1));
  return raw;
};

const suiteFile = (name: string) => fixture(`png/${name}`);

function withChunk(chunks: Chunk[], type: string, edit: (data: Uint8Array) => Uint8Array | void): Chunk[] {
  return chunks.map(([t, d]) => {
    if (t !== type) return [t, d];
    const copy = d.slice();
    return [t, edit(copy) ?? copy];
  });
}

/** A stream handing out `bytes` `size` bytes at a time, only when asked (no read-ahead), counting what it gave. */
function trickle(bytes: Uint8Array, size: number) {
  const given = { bytes: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (given.bytes >= bytes.length) return controller.close();
        const piece = bytes.slice(given.bytes, given.bytes + size);
        given.bytes += piece.length;
        controller.enqueue(piece);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, given };
}

interface Recorded extends RgbaImage {
  opens: number;
  bands: number[];
  aborted: boolean;
}

/** Decodes through a sink that records what the decoder did with it. */
async function decode(source: Uint8Array | ReadableStream<Uint8Array>, onWrite?: () => void): Promise<Recorded> {
  let opens = 0;
  const bands: number[] = [];
  const image = await decodePngRows(source, (size) => {
    opens++;
    const inner = collect(size);
    return {
      write(band, count) {
        expect(band.length).toBeGreaterThanOrEqual(count * size.width * 4);
        bands.push(count);
        inner.write(band, count);
        onWrite?.();
      },
      close: () => inner.close(),
      abort: () => inner.abort(),
    };
  });
  return { ...image, opens, bands, aborted: false };
}

/** Runs a decode expected to fail: returns the error, whether the sink was opened and aborted. */
async function decodeFailure(source: Uint8Array | ReadableStream<Uint8Array>) {
  const state = { opened: false, aborted: false, closed: false };
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('decode hung')), 10_000));
  const error = await Promise.race([
    decodePngRows(source, (size) => {
      state.opened = true;
      const inner = collect(size);
      return {
        write: (band, count) => inner.write(band, count),
        close: () => ((state.closed = true), inner.close()),
        abort: () => ((state.aborted = true), inner.abort()),
      };
    }).then(
      () => undefined,
      (e: unknown) => e,
    ),
    timeout,
  ]);
  return { error, ...state };
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `byte ${i} (pixel ${i >> 2}, channel ${i & 3}): ${a[i]} vs ${b[i]}`;
  }
  return 'none';
}

function expectPixels(actual: Uint8Array | Uint8ClampedArray, expected: Uint8Array, label: string) {
  const a = new Uint8Array(actual.buffer, actual.byteOffset, actual.length);
  if (a.length !== expected.length || firstDifference(a, expected) !== 'none') {
    expect.fail(`${label}: length ${a.length} vs ${expected.length}, first difference at ${firstDifference(a, expected)}`);
  }
}

// ——— decoding ———

describe('decodePngRows on PngSuite', () => {
  it('decodes every valid PngSuite file to exactly what sharp decodes it to', async () => {
    expect(goldens.size).toBe(161);
    const failures: string[] = [];
    for (const [name, golden] of goldens) {
      try {
        const image = await decode(await suiteFile(name));
        expect([image.width, image.height]).toEqual([golden.width, golden.height]);
        expectPixels(image.data, golden.rgba, name);
      } catch (error) {
        failures.push(`${name}: ${error instanceof Error ? error.message : error}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('decodes from an R2 body, a byte stream read 64 KiB at a time into one reused buffer', async () => {
    // A 512×512 noise PNG (~1 MB): many reads, each the same buffer handed back.
    const noise = randomBytes(512 * 512 * 4);
    const file = await encode({ width: 512, height: 512 }, noise, true);
    await env.ORIGINALS.put('png-rows/noise.png', file);
    const body = (await env.ORIGINALS.get('png-rows/noise.png'))!.body;
    const image = await decode(body);
    expect([image.width, image.height]).toEqual([512, 512]);
    expectPixels(image.data, noise, 'noise from R2');
  });

  it('gives the same rows from a stream of 7-byte chunks as from one array', async () => {
    for (const name of ['basn0g01.png', 'basi0g16.png', 'basn3p04.png', 'basi3p02.png', 'basi6a16.png', 'tbrn2c08.png', 'z09n2c08.png', 's01i3p01.png']) {
      const bytes = await suiteFile(name);
      const copy = bytes.slice();
      await decode(bytes);
      // The decoder hands views of its input to the decompressor: they must not be detached or changed.
      expect(bytes.byteLength).toBe(copy.length);
      expectPixels(bytes, copy, `${name} after decoding`);
      const streamed = await decode(trickle(bytes, 7).stream);
      expectPixels(streamed.data, goldens.get(name)!.rgba, `${name} in 7-byte chunks`);
    }
  });

  it('opens the sink once, then writes bands of 16 rows, the last one shorter', async () => {
    const bytes = buildPng([ihdr(5, 37, 8, 0), ['IDAT', await deflateAll(greyRows(5, 37, 9))], ['IEND', new Uint8Array(0)]]);
    const image = await decode(bytes);
    expect(image.opens).toBe(1);
    expect(image.bands).toEqual([16, 16, 5]);
    expect(image.data.every((v, i) => v === ((i & 3) === 3 ? 255 : 9))).toBe(true);
    // Interlaced files reach the sink the same way, once every pass is in.
    const interlaced = await decode(await suiteFile('basi0g08.png'));
    expect(interlaced.bands).toEqual([16, 16]);
  });

  it('reads IDAT split into many chunks, with empty ones among them', async () => {
    const idat = await deflateAll(greyRows(40, 30, 200));
    const pieces: Chunk[] = [['IDAT', new Uint8Array(0)]];
    for (let at = 0; at < idat.length; at += 3) pieces.push(['IDAT', idat.subarray(at, at + 3)], ['IDAT', new Uint8Array(0)]);
    const image = await decode(buildPng([ihdr(40, 30, 8, 0), ['tEXt', new TextEncoder().encode('a\0b')], ...pieces, ['IEND', new Uint8Array(0)]]));
    expect(image.data.every((v, i) => v === ((i & 3) === 3 ? 255 : 200))).toBe(true);
  });

  it('accepts a file that stops after its last IDAT (no IEND), and ignores chunks after it', async () => {
    const chunks = parseChunks(await suiteFile('basn2c08.png'));
    const noIend = buildPng(chunks.filter(([t]) => t !== 'IEND'));
    expectPixels((await decode(noIend)).data, goldens.get('basn2c08.png')!.rgba, 'without IEND');
  });
});

describe('decodePngRows on broken files', () => {
  // PngSuite's x*.png corrupt files are not in test/fixtures/png/: each is rebuilt here from a valid file.
  const cases: [name: string, build: () => Promise<Uint8Array>, message: RegExp][] = [
    ['xs1n0g01 (signature byte 1 wrong)', async () => edit(await suiteFile('basn0g01.png'), (b) => (b[0] = 0x88)), /signature byte 0/],
    ['xs2n0g01 (signature byte 2 wrong)', async () => edit(await suiteFile('basn0g01.png'), (b) => (b[1] = 0x51)), /signature byte 1/],
    ['xs4n0g01 (signature byte 4 wrong)', async () => edit(await suiteFile('basn0g01.png'), (b) => (b[3] = 0x48)), /signature byte 3/],
    ['xs7n0g01 (signature byte 7 wrong)', async () => edit(await suiteFile('basn0g01.png'), (b) => (b[7] = 0x0b)), /signature byte 7/],
    ['xcrn0g04 (a CR added to the signature)', async () => insert(await suiteFile('basn0g04.png'), 5, 0x0d), /signature byte 5/],
    ['xlfn0g04 (an LF added to the signature)', async () => insert(await suiteFile('basn0g04.png'), 6, 0x0a), /signature byte 6/],
    ['xhdn0g08 (IHDR CRC wrong)', async () => buildPng(parseChunks(await suiteFile('basn0g08.png')), 'IHDR'), /IHDR chunk CRC mismatch/],
    ['xc1n0g08 (colour type 1)', async () => rebuild('basn0g08.png', 'IHDR', (d) => void (d[9] = 1)), /colour type 1 /],
    ['xc9n2c08 (colour type 9)', async () => rebuild('basn2c08.png', 'IHDR', (d) => void (d[9] = 9)), /colour type 9 /],
    ['xd0n2c08 (bit depth 0)', async () => rebuild('basn2c08.png', 'IHDR', (d) => void (d[8] = 0)), /bit depth 0 /],
    ['xd3n2c08 (bit depth 3)', async () => rebuild('basn2c08.png', 'IHDR', (d) => void (d[8] = 3)), /bit depth 3 /],
    ['xd9n2c08 (bit depth 99)', async () => rebuild('basn2c08.png', 'IHDR', (d) => void (d[8] = 99)), /bit depth 99 /],
    ['xdtn0g01 (no IDAT)', async () => buildPng(parseChunks(await suiteFile('basn0g01.png')).filter(([t]) => t !== 'IDAT')), /no IDAT/],
    ['xcsn0g01 (IDAT CRC wrong)', async () => buildPng(parseChunks(await suiteFile('basn0g01.png')), 'IDAT'), /IDAT chunk CRC mismatch/],
    ['zero bytes', async () => new Uint8Array(0), /ends inside the signature/],
    ['random bytes', async () => randomBytes(1000), /not a PNG/],
    ['a PDF', async () => new TextEncoder().encode('%PDF-1.4\n%âãÏÓ\n1 0 obj\n'), /not a PNG/],
    ['IHDR not first', async () => buildPng([['tEXt', new Uint8Array(3)], ...parseChunks(await suiteFile('basn0g08.png'))]), /first chunk is tEXt/],
    ['IHDR of 12 bytes', async () => rebuild('basn0g08.png', 'IHDR', (d) => d.subarray(0, 12)), /IHDR is 12 bytes/],
    ['width 0', async () => rebuild('basn0g08.png', 'IHDR', (d) => void d.fill(0, 0, 4)), /size 0×32/],
    ['interlace method 2', async () => rebuild('basn0g08.png', 'IHDR', (d) => void (d[12] = 2)), /interlace method 2/],
    ['palette file without PLTE', async () => buildPng(parseChunks(await suiteFile('basn3p08.png')).filter(([t]) => t !== 'PLTE')), /without a PLTE/],
    ['PLTE of 4 bytes', async () => rebuild('basn3p08.png', 'PLTE', (d) => d.subarray(0, 4)), /PLTE is 4 bytes/],
    ['PLTE CRC wrong', async () => buildPng(parseChunks(await suiteFile('basn3p08.png')), 'PLTE'), /PLTE chunk CRC mismatch/],
    ['an unknown critical chunk', async () => insertChunk(await suiteFile('basn0g08.png'), ['ZZZZ', new Uint8Array(2)]), /unknown critical chunk ZZZZ/],
    ['a bad chunk type', async () => insertChunk(await suiteFile('basn0g08.png'), ['a1b2', new Uint8Array(2)]), /bad chunk type/],
    ['a chunk length past 2³¹', async () => edit(buildPng(parseChunks(await suiteFile('basn0g08.png'))), (b) => void (b[33] = 0xff)), /claims/],
    ['zlib data that is not zlib', async () => rebuild('basn0g08.png', 'IDAT', (d) => void (d[0] = 0x00)), /corrupt image data/],
    ['flipped bits inside the deflate data', async () => rebuild('basn2c08.png', 'IDAT', (d) => void (d[20] = d[20]! ^ 0xff)), /corrupt image data|filter type|more bytes/],
    ['a bad Adler-32', async () => rebuild('basn0g08.png', 'IDAT', (d) => void (d[d.length - 1] = d[d.length - 1]! ^ 1)), /corrupt image data/],
    ['a row filter type of 5', async () => grey(4, 4, (raw) => (raw[5] = 5)), /filter type 5/],
    ['too few rows for the header', async () => rebuild('basn0g08.png', 'IHDR', (d) => void (d[7] = 33)), /ends after 32 of 33 rows/],
    ['more data than the header’s rows', async () => rebuild('basn0g08.png', 'IHDR', (d) => void (d[7] = 31)), /more bytes than the header/],
    ['interlaced, too few rows', async () => rebuild('basi0g08.png', 'IHDR', (d) => void (d[7] = 40)), /ends after|filter type|more bytes/],
    ['bytes after the zlib stream', async () => rebuild('basn0g08.png', 'IDAT', (d) => concat(d, Uint8Array.of(1, 2, 3))), /corrupt image data/],
    ['an IDAT run cut short by another chunk', async () => grey(40, 40, () => {}, 'split'), /corrupt image data|ends after/],
  ];
  // Truncated copies of one file at every kind of place: signature, IHDR, before IDAT, inside IDAT, inside its CRC.
  for (const cut of [3, 8, 20, 33, 45, 53, 60, 90, 121, 124]) {
    cases.push([`basn0g08 cut to ${cut} bytes`, async () => (await suiteFile('basn0g08.png')).slice(0, cut), /PNG ends inside|corrupt image data|ends after/]);
  }

  function edit(bytes: Uint8Array, change: (b: Uint8Array) => void): Uint8Array {
    const copy = bytes.slice();
    change(copy);
    return copy;
  }
  function insert(bytes: Uint8Array, at: number, byte: number): Uint8Array {
    return concat(bytes.subarray(0, at), Uint8Array.of(byte), bytes.subarray(at));
  }
  async function rebuild(name: string, type: string, change: (d: Uint8Array) => Uint8Array | void) {
    return buildPng(withChunk(parseChunks(await suiteFile(name)), type, change));
  }
  async function insertChunk(bytes: Uint8Array, chunk: Chunk) {
    const chunks = parseChunks(bytes);
    return buildPng([chunks[0]!, chunk, ...chunks.slice(1)]);
  }
  async function grey(width: number, height: number, change: (raw: Uint8Array) => void, split?: 'split') {
    const raw = greyRows(width, height, 77);
    change(raw);
    const z = await deflateAll(raw);
    const idat: Chunk[] = split
      ? [['IDAT', z.subarray(0, z.length >> 1)], ['tEXt', new Uint8Array(1)], ['IDAT', z.subarray(z.length >> 1)]]
      : [['IDAT', z]];
    return buildPng([ihdr(width, height, 8, 0), ...idat, ['IEND', new Uint8Array(0)]]);
  }

  it.each(cases)('%s throws PngError, never hangs, and aborts an opened sink', async (_name, build, message) => {
    const bytes = await build();
    for (const source of [bytes, trickle(bytes, 7).stream]) {
      const { error, opened, aborted, closed } = await decodeFailure(source);
      expect(error).toBeInstanceOf(PngError);
      expect((error as Error).message).toMatch(message);
      expect(aborted).toBe(opened);
      expect(closed).toBe(false);
    }
  });

  it('stops a decompression bomb at the header’s size, having read only the start of it', async () => {
    // 64 MiB of zeros behind a 64×64 header: about 64 KiB of zlib data.
    const stream = new Blob(Array.from({ length: 64 }, () => new Uint8Array(1 << 20))).stream().pipeThrough(new CompressionStream('deflate'));
    const bomb = buildPng([ihdr(64, 64, 8, 0), ['IDAT', await streamAll(stream)], ['IEND', new Uint8Array(0)]]);
    const source = trickle(bomb, 1024);
    const { error, aborted } = await decodeFailure(source.stream);
    expect(error).toBeInstanceOf(PngError);
    expect((error as Error).message).toMatch(/more bytes than the header/);
    expect(aborted).toBe(true);
    expect(source.given.bytes).toBeLessThan(8 * 1024);
  });

  it('feeds the decompressor pieces sized so each write inflates to about 64 KiB', async () => {
    const flat = buildPng([ihdr(4096, 1024, 8, 0), ['IDAT', await deflateAll(greyRows(4096, 1024))], ['IEND', new Uint8Array(0)]]);
    const noise = await encode({ width: 256, height: 256 }, randomBytes(256 * 256 * 4), true);
    const [flatWrites, noiseWrites] = [await writeSizes(flat), await writeSizes(noise)];
    // ~1000:1: a first write of 1 KiB (the guess before any output), then the 256-byte minimum.
    expect(flatWrites[0]).toBe(1024);
    expect(Math.max(...flatWrites.slice(1))).toBe(256);
    // ~1:1: the 16 KiB maximum once the ratio is known.
    expect(Math.max(...noiseWrites)).toBe(16 * 1024);
    // Noise, then sparse rows (one byte in 16 set, ~8:1): the pieces shrink as soon as the ratio changes,
    // not once the average over the whole file has caught up.
    const mixed = randomBytes(4097 * 1024);
    for (let i = mixed.length >> 2; i < mixed.length; i++) if ((i & 15) !== 0) mixed[i] = 0;
    for (let y = 0; y < 1024; y++) mixed[y * 4097] = 0;
    const mixedWrites = await writeSizes(buildPng([ihdr(4096, 1024, 8, 0), ['IDAT', await deflateAll(mixed)], ['IEND', new Uint8Array(0)]]));
    const shrinks = mixedWrites.findIndex((size, i) => i > 1 && size < mixedWrites[i - 1]!);
    expect(shrinks).toBeGreaterThan(1);
    expect(mixedWrites.slice(1, shrinks).every((size) => size === 16 * 1024)).toBe(true);
    const sparseWrites = mixedWrites.slice(shrinks + 1, -1);
    expect(sparseWrites.length).toBeGreaterThan(10);
    expect(Math.max(...sparseWrites)).toBeLessThanOrEqual(12 * 1024);
  });

  it('writes whole pieces however small the chunks the original streams in (local R2: 4 KiB)', async () => {
    const noise = await encode({ width: 256, height: 256 }, randomBytes(256 * 256 * 4), true);
    const writes = await writeSizes(trickle(noise, 4096).stream);
    expect(Math.max(...writes)).toBe(16 * 1024);
    expect(writes.length).toBeLessThan(noise.length / (12 * 1024));
  });

  it('passes a failing input stream’s own error through', async () => {
    const bytes = await suiteFile('basn0g08.png');
    let sent = false;
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error('connection reset'));
        sent = true;
        controller.enqueue(bytes.slice(0, 60));
      },
    });
    const { error, aborted } = await decodeFailure(failing);
    // The source failed, not the file: its own error (an origin's 413 or 504, say) reaches the caller.
    expect(error).not.toBeInstanceOf(PngError);
    expect((error as Error).message).toBe('connection reset');
    expect(aborted).toBe(true);
  });

  it('passes a sink’s own error through unchanged, after aborting it', async () => {
    let aborted = false;
    const failure = decodePngRows(await suiteFile('basn0g08.png'), () => ({
      write: () => {
        throw new Error('sink full');
      },
      close: async () => undefined,
      abort: () => void (aborted = true),
    }));
    await expect(failure).rejects.toThrow(/^sink full$/);
    expect(aborted).toBe(true);
  });
});

/** The sizes of the writes the decoder makes into its DecompressionStream while decoding `file`. */
async function writeSizes(file: Uint8Array | ReadableStream<Uint8Array>): Promise<number[]> {
  const sizes: number[] = [];
  const scope = globalThis as unknown as { DecompressionStream: typeof DecompressionStream };
  const Native = scope.DecompressionStream;
  scope.DecompressionStream = class {
    readable: ReadableStream<Uint8Array>;
    writable: WritableStream<Uint8Array>;
    constructor(format: ConstructorParameters<typeof DecompressionStream>[0]) {
      const native = new Native(format);
      const writer = native.writable.getWriter();
      this.readable = native.readable;
      this.writable = new WritableStream({
        write: (chunk) => (sizes.push(chunk.length), writer.write(chunk)),
        close: () => writer.close(),
        abort: (reason) => writer.abort(reason),
      });
    }
  } as typeof DecompressionStream;
  try {
    const { error } = await decodeFailure(file);
    expect(error).toBeUndefined();
  } finally {
    scope.DecompressionStream = Native;
  }
  return sizes;
}

describe('inflate', () => {
  it('keeps about one piece of inflated data waiting, however slowly it is consumed', async () => {
    // 8 MiB of zeros deflates ~1000:1, so each byte written means ~1 KB inflated.
    const zeros = await deflateAll(new Uint8Array(8 << 20));
    const ratio = (8 << 20) / zeros.length;
    let taken = 0;
    let delivered = 0;
    let mostWaiting = 0;
    async function* pieces() {
      for (let at = 0; at < zeros.length; at += 256) {
        const piece = zeros.subarray(at, at + 256);
        taken += piece.length;
        yield piece;
      }
    }
    const input = pieces();
    await inflate(input, (data) => {
      delivered += data.length;
      // A slow synchronous consumer (workerd's clocks stand still while code runs, so: work).
      let spin = 0;
      for (let i = 0; i < 200_000; i++) spin = (spin + i * data[i & 1023]!) | 0;
      if (spin === 0.5) throw new Error('unreachable');
      // Bytes the decompressor made but has not handed over yet, estimated from the input written.
      mostWaiting = Math.max(mostWaiting, Math.min(8 << 20, taken * ratio) - delivered);
    });
    expect(delivered).toBe(8 << 20);
    expect(mostWaiting).toBeLessThan(1024 * 1024);
  });
});

describe('pngDecodeMemory', () => {
  it('counts two packed rows and a band, plus the packed image when interlaced', () => {
    const header = { width: 1000, height: 800, bitDepth: 8, channels: 3, interlaced: false };
    const sequential = pngDecodeMemory(header);
    expect(sequential).toBeGreaterThan(2 * 3001 + 16 * 4000);
    expect(sequential).toBeLessThan(1024 * 1024);
    expect(pngDecodeMemory({ ...header, interlaced: true }) - sequential).toBe(800 * 3000);
    expect(pngDecodeMemory({ ...header, bitDepth: 1, channels: 1, interlaced: true }) - pngDecodeMemory({ ...header, bitDepth: 1, channels: 1 })).toBe(800 * 125);
  });
});

// ——— encoding ———

/** Pixels with every kind of local structure: flat runs, gradients and noise, alpha varying. */
function testPicture(width: number, height: number, opaque: boolean): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  const noise = randomBytes(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const region = ((x >> 4) + (y >> 4)) % 3;
      data[i] = region === 0 ? 40 : region === 1 ? (x * 3) & 255 : noise[i]!;
      data[i + 1] = region === 0 ? 200 : region === 1 ? (y * 5) & 255 : noise[i + 1]!;
      data[i + 2] = region === 2 ? noise[i + 2]! : (x + y) & 255;
      data[i + 3] = opaque ? 255 : region === 1 ? (x * 7) & 255 : 255 - (y & 255);
    }
  }
  return data;
}

async function encode(size: Size, pixels: Uint8Array, hasAlpha: boolean, bandRows = 7): Promise<Uint8Array> {
  const sink = openPngEncoder(size, { quality: 100, hasAlpha });
  for (let y = 0; y < size.height; y += bandRows) {
    const count = Math.min(bandRows, size.height - y);
    // A band the caller reuses: the encoder must copy what it keeps.
    const band = pixels.slice(y * size.width * 4, (y + count) * size.width * 4);
    sink.write(band, count);
    band.fill(0xee);
  }
  return sink.close();
}

/** Reference unfiltering, written from the spec for this test only. */
function referenceUnfilter(inflated: Uint8Array, width: number, height: number, bpp: number): { rows: Uint8Array; filters: number[] } {
  const stride = width * bpp;
  const rows = new Uint8Array(height * stride);
  const filters: number[] = [];
  for (let y = 0; y < height; y++) {
    const filter = inflated[y * (stride + 1)]!;
    filters.push(filter);
    for (let i = 0; i < stride; i++) {
      const x = inflated[y * (stride + 1) + 1 + i]!;
      const a = i >= bpp ? rows[y * stride + i - bpp]! : 0;
      const b = y > 0 ? rows[(y - 1) * stride + i]! : 0;
      const c = i >= bpp && y > 0 ? rows[(y - 1) * stride + i - bpp]! : 0;
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const predictor = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter]!;
      rows[y * stride + i] = (x + predictor) & 255;
    }
  }
  return { rows, filters };
}

/** Sum of |filtered byte as int8| for each of the five filters, for one row. */
function filterSums(rows: Uint8Array, y: number, stride: number, bpp: number): number[] {
  return [0, 1, 2, 3, 4].map((filter) => {
    let sum = 0;
    for (let i = 0; i < stride; i++) {
      const x = rows[y * stride + i]!;
      const a = i >= bpp ? rows[y * stride + i - bpp]! : 0;
      const b = y > 0 ? rows[(y - 1) * stride + i]! : 0;
      const c = i >= bpp && y > 0 ? rows[(y - 1) * stride + i - bpp]! : 0;
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const v = (x - [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter]!) & 255;
      sum += v < 128 ? v : 256 - v;
    }
    return sum;
  });
}

const dropAlpha = (rgba: Uint8Array) => rgba.filter((_, i) => (i & 3) !== 3);
const opaque = (rgba: Uint8Array) => rgba.map((v, i) => ((i & 3) === 3 ? 255 : v));

describe('openPngEncoder', () => {
  it('writes a PNG whose chunks, CRCs, zlib data and filters check out without our decoder', async () => {
    for (const [hasAlpha, width, height] of [[true, 301, 120], [false, 97, 260]] as const) {
      const pixels = testPicture(width, height, !hasAlpha);
      const file = await encode({ width, height }, pixels, hasAlpha);
      expect([...file.subarray(0, 8)]).toEqual(SIGNATURE);
      const chunks = parseChunks(file); // checks every CRC
      expect(chunks.map(([t]) => t).filter((t, i, all) => all.indexOf(t) === i)).toEqual(['IHDR', 'IDAT', 'IEND']);
      expect(chunks.at(-1)![1].length).toBe(0);
      const header = new DataView(chunks[0]![1].buffer);
      expect([header.getUint32(0), header.getUint32(4), ...chunks[0]![1].subarray(8)]).toEqual([width, height, 8, hasAlpha ? 6 : 2, 0, 0, 0]);
      const idats = chunks.filter(([t]) => t === 'IDAT').map(([, d]) => d);
      expect(idats.every((d) => d.length <= 64 * 1024 && d.length > 0)).toBe(true);
      const bpp = hasAlpha ? 4 : 3;
      const { rows, filters } = referenceUnfilter(await inflateAll(concat(...idats)), width, height, bpp);
      expectPixels(rows, hasAlpha ? pixels : dropAlpha(pixels), `encoded ${width}×${height}`);
      // Each row's filter is one whose sum of absolute values is smallest.
      for (let y = 0; y < height; y++) {
        const sums = filterSums(rows, y, width * bpp, bpp);
        expect(sums[filters[y]!], `row ${y}: filter ${filters[y]} of sums ${sums}`).toBe(Math.min(...sums));
      }
      expect(new Set(filters).size).toBeGreaterThan(1);
    }
  });

  it('cuts large files into IDAT chunks of 64 KiB', async () => {
    const pixels = randomBytes(256 * 256 * 4);
    const chunks = parseChunks(await encode({ width: 256, height: 256 }, pixels, true, 16));
    const idats = chunks.filter(([t]) => t === 'IDAT');
    expect(idats.length).toBeGreaterThan(3);
    expect(idats.slice(0, -1).every(([, d]) => d.length === 64 * 1024)).toBe(true);
  });

  it('round-trips through decodePngRows losslessly, RGBA and RGB', async () => {
    for (const hasAlpha of [true, false]) {
      const pixels = testPicture(133, 71, !hasAlpha);
      const image = await decode(await encode({ width: 133, height: 71 }, pixels, hasAlpha));
      expectPixels(image.data, hasAlpha ? pixels : opaque(pixels), `round trip, alpha ${hasAlpha}`);
    }
    for (const name of ['basn3p02.png', 'basi6a16.png', 'tbrn2c08.png']) {
      const golden = goldens.get(name)!;
      const image = await decode(await encode(golden, golden.rgba, true, 5));
      expectPixels(image.data, golden.rgba, `${name} re-encoded`);
    }
  });

  it('refuses too many rows, too few, and use after abort', async () => {
    const sink = openPngEncoder({ width: 2, height: 2 }, { quality: 100, hasAlpha: true });
    expect(() => sink.write(new Uint8Array(24), 3)).toThrow(PngError);
    await expect(openPngEncoder({ width: 2, height: 2 }, { quality: 100, hasAlpha: true }).close()).rejects.toThrow(/Expected 2 rows/);
    sink.abort();
    sink.abort();
    expect(() => sink.write(new Uint8Array(8), 1)).toThrow(/aborted/);
    expect(() => openPngEncoder({ width: 0, height: 5 }, { quality: 100, hasAlpha: true })).toThrow(PngError);
  });
});

/** getRandomValues fills at most 64 KiB at a time. */
function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) crypto.getRandomValues(out.subarray(at, at + 65536));
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

