/**
 * Builds the widget into dist/widget/: first the lazy chunks (handoff, media), then the chat chunk
 * with their names put into it (all content-hashed), then widget.js, the loader, with the chat
 * chunk's name put into it. Fails when any file is over its gzip budget and prints the sizes otherwise.
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
/**
 * 2 KB until issue 15: the launcher drawn from the look kept in localStorage, the chat chunk loaded
 * on intent and the launcher's ARIA state cost ~170 B gzip more (docs/performance.md, "Widget size").
 */
const LOADER_BUDGET = 2304;
const CHUNK_BUDGET = 20480;
const CHUNK_NAME_FILE = "widget/src/loader/chunk-file.ts";
const CHUNK_NAME_PLACEHOLDER = '"chat.js"';
/** The chunks the chat chunk loads when a site needs them, each with its own budget. */
const LAZY_NAME_FILE = "widget/src/chat/lazy-files.ts";
const LAZY = [
  /** sites that offer a person */
  { entry: "widget/src/handoff-entry.ts", name: "chat-handoff", budget: 6144 },
  /** sites with pictures or voice on (docs/media.md) */
  { entry: "widget/src/media-entry.ts", name: "chat-media", budget: 8192 },
];
/**
 * What the lazy chunks import from Preact and signals is the chat chunk's copy, lent through the
 * page state (widget/src/chat/mount.tsx): a second Preact would break hooks and signals,
 * and cost its bytes twice. A name the chat chunk does not lend fails the build.
 */
const SHARED = ["preact", "preact/hooks", "preact/jsx-runtime", "@preact/signals"];
const SHARED_ID = "\0bailian-shared-preact";
const SHARED_NAMES = ["jsx", "jsxs", "useEffect", "useRef", "signal", "effect", "computed", "useSignal"];
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

/** Replaces a chunk-name placeholder in `file` with the built chunk's name. */
function putName(file: string, placeholder: string, name: string): Plugin {
  return {
    name: "bailian-widget-chunk-name",
    transform(code, id) {
      if (!id.replace(/\\/g, "/").endsWith(file)) return null;
      if (!code.includes(placeholder)) this.error(`${file} no longer holds ${placeholder}`);
      return { code: code.replace(placeholder, JSON.stringify(name)), map: null };
    },
  };
}

const sharedPreact = (): Plugin => ({
  name: "bailian-widget-shared-preact",
  resolveId: (id) => (SHARED.includes(id) ? SHARED_ID : null),
  load: (id) => (id === SHARED_ID ? `export const { ${SHARED_NAMES.join(", ")} } = window[Symbol.for("bailian-chat")].p;` : null),
});

async function buildLazyChunk(entry: string, name: string): Promise<OutputChunk> {
  const bundle = await rollup({
    input: entry,
    plugins: [sharedPreact(), ...plugins()],
    onwarn: failOnWarning,
  });
  try {
    const { output } = await bundle.write({ dir: OUT_DIR, format: "iife", entryFileNames: `${name}-[hash].js` });
    return output[0];
  } finally {
    await bundle.close();
  }
}

async function buildChatChunk(lazy: OutputChunk[]): Promise<OutputChunk> {
  const bundle = await rollup({
    input: "widget/src/chat-entry.ts",
    plugins: [...LAZY.map(({ name }, i) => putName(LAZY_NAME_FILE, JSON.stringify(`${name}.js`), lazy[i].fileName)), ...plugins()],
    onwarn: failOnWarning,
  });
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
  let lazy: OutputChunk[] = [];
  return {
    name: "bailian-widget-chunk-and-budgets",
    async buildStart() {
      rmSync(OUT_DIR, { recursive: true, force: true });
      lazy = [];
      for (const { entry, name } of LAZY) lazy.push(await buildLazyChunk(entry, name));
      chunk = await buildChatChunk(lazy);
    },
    transform(code, id) {
      if (!id.replace(/\\/g, "/").endsWith(CHUNK_NAME_FILE)) return null;
      if (!code.includes(CHUNK_NAME_PLACEHOLDER)) this.error(`${CHUNK_NAME_FILE} no longer holds ${CHUNK_NAME_PLACEHOLDER}`);
      return { code: code.replace(CHUNK_NAME_PLACEHOLDER, JSON.stringify(chunk!.fileName)), map: null };
    },
    generateBundle(_options, bundle) {
      const loader = Object.values(bundle).find((f): f is OutputChunk => f.type === "chunk" && f.isEntry);
      if (!loader || !chunk || lazy.length !== LAZY.length)
        return this.error("the loader, the chat chunk or a lazy chunk is missing from the build");
      if (!loader.code.includes(chunk.fileName)) this.error(`widget.js does not reference ${chunk.fileName}`);
      for (const file of lazy) if (!chunk.code.includes(file.fileName)) this.error(`${chunk.fileName} does not reference ${file.fileName}`);
      const files: Array<[OutputChunk, number]> = [
        [loader, LOADER_BUDGET],
        [chunk, CHUNK_BUDGET],
        ...lazy.map((file, i): [OutputChunk, number] => [file, LAZY[i].budget]),
      ];
      const measured = files.map(([file, budget]) => ({ name: file.fileName, size: sizes(file.code), budget }));
      const report = measured.map((f) => line(f.name, f.size, f.budget)).join("\n");
      const over = measured
        .filter((f) => f.size.gzip > f.budget)
        .map((f) => `${f.name} is ${f.size.gzip} B gzip, over its ${f.budget} B budget`);
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
