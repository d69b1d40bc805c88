/**
 * Builds the owner dashboard (server/dashboard) into dist/dashboard, served by the server at
 * /dashboard (server/src/features/dashboard/assets.ts):
 *
 *   npx vite build --config server/dashboard/vite.config.ts
 *
 * Two HTML entries: the app (index.html) and the live preview's page (preview.html), which the
 * settings page loads in an iframe to run the real widget with unsaved settings. Every script and
 * stylesheet is a content-hashed file under assets/: the server's CSP allows only 'self', so
 * nothing may be inlined. `npm run dev:dashboard`-style use: `vite --config …` proxies the API to
 * a running server (DASHBOARD_API, default http://localhost:8787).
 */
import { resolve } from "node:path";
import { defineConfig } from "vite";

const root = import.meta.dirname;
const api = process.env.DASHBOARD_API ?? "http://localhost:8787";

export default defineConfig({
  root,
  base: "/dashboard/",
  publicDir: false,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: resolve(root, "../../dist/dashboard"),
    emptyOutDir: true,
    target: "es2022",
    // The polyfill would be an inline script, which the dashboard's CSP refuses; every browser the dashboard supports has modulepreload.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    rolldownOptions: {
      input: { index: resolve(root, "index.html"), preview: resolve(root, "preview.html") },
      output: {
        // Names the server's asset routes accept: /dashboard/assets/<[A-Za-z0-9_-]>.js|css
        entryFileNames: "assets/[name]-[hash].js",
        chunkFileNames: "assets/[name]-[hash].js",
        assetFileNames: "assets/[name]-[hash][extname]",
      },
    },
  },
  server: {
    proxy: Object.fromEntries(["/api", "/v1", "/widget.js", "/chat-"].map((path) => [path, { target: api, changeOrigin: false }])),
  },
});
