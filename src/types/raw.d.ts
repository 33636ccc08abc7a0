// Vite's `?raw` suffix imports a file's text (used by tests to read the README).
declare module '*?raw' {
  const text: string;
  export default text;
}
