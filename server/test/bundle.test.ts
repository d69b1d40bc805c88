import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// What a cold start compiles: dist/server/server.mjs and the chunks it imports statically. Libraries
// only some requests need were a megabyte of it (issue 15: cold start 461 ms → 269 ms to /health
// once they were loaded on use). `npm test` builds first; build.mjs writes the metafile.
const META = "dist/sourcemap/meta.json";

interface Metafile {
  outputs: Record<string, { imports: Array<{ path: string; kind: string }>; inputs: Record<string, unknown> }>;
}

/** Every output a start of `entry` loads before running: itself and its static imports, transitively. */
function loadedAtStart(meta: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !meta.outputs[file]) return;
    seen.add(file);
    for (const i of meta.outputs[file].imports) if (i.kind === "import-statement") visit(i.path);
  };
  visit(entry);
  return [...seen];
}

describe("the server bundle", () => {
  it("loads at start none of the libraries only some requests need (OSS, mail, document parsers, crawling, password dictionaries)", () => {
    expect(existsSync(META), `${META} is missing: run node build.mjs first`).toBe(true);
    const meta = JSON.parse(readFileSync(META, "utf8")) as Metafile;
    const packages = new Set(
      loadedAtStart(meta, "dist/server/server.mjs").flatMap((file) =>
        Object.keys(meta.outputs[file].inputs).flatMap((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? []),
      ),
    );
    // The server itself is there (a sanity check of the walk).
    expect(packages).toContain("h3");
    for (const lazy of [
      "ali-oss",
      "urllib",
      "nodemailer",
      "mammoth",
      "jszip",
      "linkedom",
      "@mozilla/readability",
      "marked",
      "csv-parse",
      "unpdf",
      "@zxcvbn-ts/core",
      "@zxcvbn-ts/language-en",
      "mysql2",
      "ioredis",
    ])
      expect(packages, lazy).not.toContain(lazy);
  });
});
