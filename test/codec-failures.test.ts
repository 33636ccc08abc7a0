import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeImage } from '../src/codecs';
import { initCodecs } from '../src/codecs/codecs-wasm';
import { CodecOutOfMemory, CodecTrap } from '../src/codecs/failures';
import { acquire, guarded, JpegError, release } from '../src/codecs/jpeg-turbo/instance';
import { problemBody } from '../src/errors';
import { codecProblem } from '../src/pipeline/codec-problem';
import { fixture } from './helpers';

const problemOf = (error: unknown) => {
  const problem = codecProblem(error, 'JPEG');
  return { ...problemBody(problem), headers: problem.headers };
};

describe('a codec failure is named for what it is', () => {
  // They are logged (test/logging.test.ts covers that); keep the test output clean.
  beforeEach(() => void vi.spyOn(console, 'error').mockImplementation(() => undefined));
  afterEach(() => vi.restoreAllMocks());

  it('only a codec’s verdict on the data is a corrupt image', () => {
    expect(problemOf(new JpegError('Corrupt JPEG data: premature end of data segment', 68))).toMatchObject({
      status: 422,
      type: expect.stringMatching(/#problem-corrupt-image$/),
      detail: expect.stringContaining('premature end of data segment'),
    });
  });

  it.each([
    ['a codec out of memory', new CodecOutOfMemory('libwebp: out of memory for a 9000x9000 picture')],
    ['a JS allocation failure', new RangeError('Array buffer allocation failed')],
    ['an Emscripten abort for OOM', new WebAssembly.RuntimeError('Aborted(OOM)')],
  ])('%s is 503 insufficient-memory with Retry-After, never corrupt', (_, error) => {
    expect(problemOf(error)).toMatchObject({ status: 503, type: expect.stringMatching(/#problem-insufficient-memory$/), headers: { 'Retry-After': '1' } });
  });

  it.each([
    ['a trap in our codecs', new CodecTrap('jpeg-turbo', new WebAssembly.RuntimeError('memory access out of bounds'))],
    ['a trap in jsquash glue', new WebAssembly.RuntimeError('unreachable')],
  ])('%s is 422 undecodable-image, never corrupt', (_, error) => {
    expect(problemOf(error)).toMatchObject({ status: 422, type: expect.stringMatching(/#problem-undecodable-image$/) });
  });

  it('a trap inside our WASM reaches callers as a CodecTrap, and the next decode gets a fresh instance', async () => {
    initCodecs();
    const inst = acquire();
    try {
      // A decoder "context" 2 GB into a small heap: reading its fields traps (memory access out of bounds).
      expect(() => guarded(inst, () => inst.ex.jt_destroy(0x7fff_0000))).toThrow(CodecTrap);
      expect(inst.poisoned).toBe(true);
    } finally {
      release(inst);
    }
    const image = await decodeImage('jpeg', await fixture('formats/320x240.jpg'));
    expect(image.width).toBeGreaterThan(0);
  });
});
