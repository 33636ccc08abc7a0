/** The worker's side of ./shared-wasm.ts: the imported module, recorded once (instantiation stays lazy). */
import { initCodecsWasm } from './shared-wasm';
import codecsWasm from './edgepix-codecs.wasm';

export const initCodecs = (): void => initCodecsWasm(codecsWasm);
