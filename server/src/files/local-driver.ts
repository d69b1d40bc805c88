import { rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Driver } from "unstorage";
import fsDriver from "unstorage/drivers/fs";

/**
 * unstorage's fs driver under `dir`, with one change: its clear() ignores the base it is given and
 * empties the whole folder (unstorage 1.17 drivers/fs.mjs), which would delete every site's files
 * when one site goes. Here clear(base) removes that sub-folder only. Keys reach it checked
 * (file-store.ts), so a base cannot leave `dir`.
 */
export function localDriver(dir: string): Driver {
  const root = resolve(dir);
  const fs = fsDriver({ base: root });
  return {
    ...fs,
    name: "files-local",
    async clear(base: string) {
      const folder = join(root, base.replace(/:/g, "/"));
      if (!base || folder === root || !folder.startsWith(root)) throw new Error("refusing to clear the whole file folder");
      // A file named like the prefix is not under it (as on OSS, where `a` and `a/x` are unrelated).
      const found = await stat(folder).catch(() => null);
      if (found?.isDirectory()) await rm(folder, { recursive: true, force: true });
    },
  };
}
