// `npm run build`: dist/server/server.mjs (the whole server in one ESM file, as s.yaml starts it)
// and dist/widget/ (the loader and its chat chunk, size budgets enforced by the rollup config).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

if (existsSync("rollup.widget.config.ts")) {
  execFileSync("npm", ["run", "--silent", "build:widget"], { stdio: "inherit" });
}

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
