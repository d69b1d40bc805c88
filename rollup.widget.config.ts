/**
 * Builds the widget into dist/widget/: first the chat chunk (content-hashed name), then widget.js,
 * the loader, with that name put into it. Fails when either file is over its gzip budget (the
 * issue's numbers) and prints both sizes otherwise.
 *
 *   npx rollup -c rollup.widget.config.ts --configPlugin esbuild
 */
import { rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import terserPlugin from "@rollup/plugin-terser";
import { type OutputChunk, type Plugin, type RollupLog, type RollupOptions, rollup } from "rollup";
import esbuild from "rollup-plugin-esbuild";

// The package's types read as CommonJS under NodeNext (the function sits on .default), while Node
// loads its ESM build, whose default export is the function itself.
const terser = terserPlugin as unknown as typeof terserPlugin.default;

const OUT_DIR = "dist/widget";
const LOADER_BUDGET = 2048;
const CHUNK_BUDGET = 20480;
const CHUNK_NAME_FILE = "widget/src/loader/chunk-file.ts";
const CHUNK_NAME_PLACEHOLDER = '"chat.js"';

const plugins = () => [
  nodeResolve({ browser: true, extensions: [".mjs", ".js", ".ts", ".tsx"] }),
  esbuild({
    target: "es2020",
    jsx: "automatic",
    jsxImportSource: "preact",
    sourceMap: false,
    define: { "process.env.NODE_ENV": '"production"' },
  }),
  terser({
    ecma: 2020,
    compress: { passes: 3, unsafe_arrows: true, pure_getters: true },
    format: { comments: false },
  }),
];

function failOnWarning(log: RollupLog, warn: (log: RollupLog) => void): void {
  // Circular imports inside preact/signals are theirs and harmless; anything else is ours to fix.
  if (log.code === "CIRCULAR_DEPENDENCY" && /node_modules/.test(log.message)) return;
  warn(log);
}

const sizes = (code: string) => ({ raw: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length });
const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`;
const line = (name: string, s: { raw: number; gzip: number }, budget: number) =>
  `  ${name.padEnd(24)} ${String(s.raw).padStart(6)} B raw  ${String(s.gzip).padStart(6)} B gzip (${kb(s.gzip)} of ${kb(budget)})`;

async function buildChatChunk(): Promise<OutputChunk> {
  const bundle = await rollup({ input: "widget/src/chat-entry.ts", plugins: plugins(), onwarn: failOnWarning });
  try {
    const { output } = await bundle.write({
      dir: OUT_DIR,
      format: "iife",
      entryFileNames: "chat-[hash].js",
      // One file: the chunk is loaded by a plain <script>, never by import().
      inlineDynamicImports: true,
    });
    return output[0];
  } finally {
    await bundle.close();
  }
}

/** Builds the chat chunk before the loader, writes its name into the loader, and enforces both budgets. */
function chatChunkAndBudgets(): Plugin {
  let chunk: OutputChunk | undefined;
  return {
    name: "bailian-widget-chunk-and-budgets",
    async buildStart() {
      rmSync(OUT_DIR, { recursive: true, force: true });
      chunk = await buildChatChunk();
    },
    transform(code, id) {
      if (!id.replace(/\\/g, "/").endsWith(CHUNK_NAME_FILE)) return null;
      if (!code.includes(CHUNK_NAME_PLACEHOLDER)) this.error(`${CHUNK_NAME_FILE} no longer holds ${CHUNK_NAME_PLACEHOLDER}`);
      return { code: code.replace(CHUNK_NAME_PLACEHOLDER, JSON.stringify(chunk!.fileName)), map: null };
    },
    generateBundle(_options, bundle) {
      const loader = Object.values(bundle).find((f): f is OutputChunk => f.type === "chunk" && f.isEntry);
      if (!loader || !chunk) return this.error("the loader or the chat chunk is missing from the build");
      if (!loader.code.includes(chunk.fileName)) this.error(`widget.js does not reference ${chunk.fileName}`);
      const loaderSize = sizes(loader.code);
      const chunkSize = sizes(chunk.code);
      const report = [line(loader.fileName, loaderSize, LOADER_BUDGET), line(chunk.fileName, chunkSize, CHUNK_BUDGET)].join("\n");
      const over = [
        loaderSize.gzip > LOADER_BUDGET ? `${loader.fileName} is ${loaderSize.gzip} B gzip, over its ${LOADER_BUDGET} B budget` : "",
        chunkSize.gzip > CHUNK_BUDGET ? `${chunk.fileName} is ${chunkSize.gzip} B gzip, over its ${CHUNK_BUDGET} B budget` : "",
      ].filter(Boolean);
      if (over.length) {
        rmSync(OUT_DIR, { recursive: true, force: true });
        this.error(`widget size budget exceeded:\n${report}\n  ${over.join("\n  ")}`);
      }
      console.log(`widget sizes (gzip -9):\n${report}`);
    },
  };
}

const config: RollupOptions = {
  input: "widget/src/loader.ts",
  output: { file: `${OUT_DIR}/widget.js`, format: "iife" },
  plugins: [chatChunkAndBudgets(), ...plugins()],
  onwarn: failOnWarning,
};

export default config;
