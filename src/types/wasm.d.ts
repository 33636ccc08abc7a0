// wrangler and vitest-pool-workers import `.wasm` files as precompiled modules.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
