// `npm run build`: dist/widget/ (the loader and its chat chunk, size budgets enforced by the rollup
// config), dist/dashboard/ (the owner SPA) and dist/server/server.mjs (the whole server in one ESM file).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

execFileSync("npm", ["run", "--silent", "build:widget"], { stdio: "inherit" });
execFileSync("npm", ["run", "--silent", "build:dashboard"], { stdio: "inherit" });

mkdirSync("dist/server", { recursive: true });
await build({
  entryPoints: ["server/src/main.ts"],
  outfile: "dist/server/server.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  sourcemap: "linked",
  // better-sqlite3 is native and only for the local SQLite mode; on FC the database is MySQL.
  external: ["better-sqlite3"],
  // Some dependencies still call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: "info",
});
writeFileSync("dist/server/package.json", JSON.stringify({ type: "module", private: true }) + "\n");
