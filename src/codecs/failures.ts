/**
 * Codec failures that say nothing about the file, so they must never be
 * reported as a corrupt image: the codec could not get memory, or its
 * WebAssembly trapped (a bug, or input the decoder does not guard against).
 */
export class CodecOutOfMemory extends Error {
  override name = 'CodecOutOfMemory';
}

export class CodecTrap extends Error {
  override name = 'CodecTrap';
  constructor(codec: string, cause: unknown) {
    super(`${codec}: WebAssembly trap${cause instanceof Error ? ` (${cause.message})` : ''}`, { cause });
  }
}
