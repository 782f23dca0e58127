// Text files bundled into the agent (esbuild: scripts/build.mjs; vitest: Vite's `?raw`).
declare module '*?raw' {
  const text: string;
  export default text;
}
