// `npm run build`: dist/widget/ (the loader and its chat chunk, for OSS/CDN; size budgets enforced
// by the rollup config), dist/dashboard/ (the owner SPA), and dist/server/: the Function Compute
// code directory (s.yaml), complete, with nothing to install:
//   server.mjs     the server bundled as ESM (better-sqlite3 left out), with the chunks it
//   *-<hash>.mjs   imports lazily (mysql2, ioredis)
//   password-check.worker.mjs   the password checker's thread (zxcvbn and its dictionaries)
//   package.json   {"type": "module"}
//   dashboard/     a copy of dist/dashboard, served at /dashboard
//   widget/        a copy of dist/widget, served at /widget.js (when no CDN serves it)
// The server's source map goes to dist/sourcemap/, outside the code directory (see below).
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

execFileSync("npm", ["run", "--silent", "build:widget"], { stdio: "inherit" });
execFileSync("npm", ["run", "--silent", "build:dashboard"], { stdio: "inherit" });

// Whatever an earlier build left there would be deployed too.
rmSync("dist/server", { recursive: true, force: true });
mkdirSync("dist/server", { recursive: true });
const { metafile } = await build({
  // The password checker's thread (security/password-strength.ts) is a file of its own.
  entryPoints: { server: "server/src/main.ts", "password-check.worker": "server/src/security/password-check.worker.ts" },
  outdir: "dist/server",
  outExtension: { ".js": ".mjs" },
  // What the server imports only when it needs it (mysql2 with its charset tables, ioredis) goes
  // into chunks of its own, which a start that does not use them never reads or compiles:
  // compiling the one 2 MB file was the largest part of a cold start.
  splitting: true,
  chunkNames: "[name]-[hash]",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  // The map (8 MB, four times the bundle) is not shipped: Node would parse it at every cold start
  // with --enable-source-maps (about 40 ms more here) for the rare stack trace. Logged frames
  // (server.mjs:1:COLUMN) are mapped offline with dist/sourcemap/server.mjs.map of the same build.
  sourcemap: "external",
  // config.ts: the static directories are beside the bundle, not under the working directory.
  define: { __BAILIAN_BUNDLE__: "true" },
  // better-sqlite3 is native and only for the local SQLite mode; on FC the database is MySQL.
  // proxy-agent: ali-oss's urllib requires it lazily, only with enableProxy, which files/ never sets
  // (and it is not installed).
  external: ["better-sqlite3", "proxy-agent"],
  // Some dependencies still call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: "info",
  // What each output holds (dist/sourcemap/meta.json): server/test/bundle.test.ts checks from it
  // what a cold start loads.
  metafile: true,
});
// Same depth as dist/server/, so the map's relative source paths still point at server/src.
rmSync("dist/sourcemap", { recursive: true, force: true });
mkdirSync("dist/sourcemap", { recursive: true });
for (const file of readdirSync("dist/server")) if (file.endsWith(".map")) renameSync(`dist/server/${file}`, `dist/sourcemap/${file}`);
writeFileSync("dist/sourcemap/meta.json", JSON.stringify(metafile));
writeFileSync("dist/server/package.json", JSON.stringify({ type: "module", private: true }) + "\n");
cpSync("dist/dashboard", "dist/server/dashboard", { recursive: true });
cpSync("dist/widget", "dist/server/widget", { recursive: true });
