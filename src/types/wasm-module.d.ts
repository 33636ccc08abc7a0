// Stands in for wasm-bindgen's own `.wasm.d.ts`, which describes the instance's
// exports; wrangler imports the file as a precompiled module instead.
declare const module: WebAssembly.Module;
export default module;
