// Builds the SolidJS UI into client/dist, which the server serves (and embeds
// in the compiled binary). Run from the repository root:
//   bunx vite build --config client/vite.config.ts
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  plugins: [solid()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Every browser we target supports <link rel=modulepreload>; the polyfill
    // would only add bytes to the entry chunk.
    modulePreload: { polyfill: false },
    // No inlined assets: the CSP allows data: for images only.
    assetsInlineLimit: 0,
  },
  server: {
    // `bunx vite --config client/vite.config.ts` during development, with the
    // API server on its default address.
    proxy: { "/api": { target: "http://127.0.0.1:8080", ws: true } },
  },
});
