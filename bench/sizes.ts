// Sizes of what a visitor's browser downloads: the loader on every page view, the chat chunk once
// the visitor reaches for the chat, the lazy chunks (chat-handoff-, chat-media-) only on sites that
// need them. Every .js file the build wrote is listed. gzip and brotli at their highest levels, as
// a CDN serves them.
import { readFileSync, readdirSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { table } from "./lib.js";

const DIR = "dist/widget";
const bytes = (n: number) => `${n.toLocaleString("en-US")} B`;

export function sizesBench(): string {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith(".js"))
    .sort((a, b) => (a === "widget.js" ? -1 : b === "widget.js" ? 1 : a.localeCompare(b)));
  return table(
    files.map((file) => {
      const raw = readFileSync(`${DIR}/${file}`);
      return {
        file,
        raw: bytes(raw.length),
        gzip: bytes(gzipSync(raw, { level: 9 }).length),
        brotli: bytes(brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length),
      };
    }),
  );
}
