import { createStorage, type Driver, type Storage } from "unstorage";
import type { Config } from "../config.js";
import { type FileOperation, FileStoreError, InvalidFileInputError, upstreamOf } from "./file-store-error.js";
import { localDriver } from "./local-driver.js";

export { FileStoreError, InvalidFileInputError } from "./file-store-error.js";

/**
 * Owners' originals (knowledge files: PDF, DOCX, … up to tens of MB), whole in memory: read once
 * by ingestion, written once by an upload. Keys are paths the server builds from ids, e.g.
 * `sites/<siteId>/sources/<sourceId>/original`, so one site's files share a prefix that
 * `removeAll` deletes when the site goes.
 */
export interface FileStore {
  readonly kind: "local" | "oss";
  /** Writes (or overwrites) the file. mediaType is kept as the object's Content-Type on OSS, not in the local folder. */
  put(key: string, bytes: Uint8Array, mediaType: string): Promise<void>;
  /** The bytes, or null when there is no such file. */
  get(key: string): Promise<Uint8Array | null>;
  has(key: string): Promise<boolean>;
  /** Deleting a missing file is not an error. */
  remove(key: string): Promise<void>;
  /** Every file under `prefix/` (a path, never empty): `sites/a` leaves `sites/ab/…` alone. */
  removeAll(prefix: string): Promise<void>;
  /** The keys under `prefix/`, full, in no particular order. */
  list(prefix: string): Promise<string[]>;
  dispose(): Promise<void>;
  /**
   * OSS only: what signing for a browser needs (a PostObject policy, a presigned GET), so the
   * browser talks to the bucket and the server never holds the bytes (files/oss-signing.ts).
   */
  readonly oss?: OssAccess;
}

/** The bucket as a browser-facing signature needs it; `key` is a FileStore key, `objectName` adds the prefix. */
export interface OssAccess {
  bucket: string;
  /** oss-cn-hangzhou, as ali-oss takes it */
  region: string;
  /** https://oss-cn-hangzhou-internal.aliyuncs.com: the server's own endpoint (maybe internal, unreachable for browsers) */
  endpoint: string;
  objectName(key: string): string;
  credentials(): CloudCredentials | null;
}

export type CloudCredentials = NonNullable<Config["cloudCredentials"]>;

// One path segment: what ids, file names of our own making and extensions need; no leading dot,
// so never "." or ".." (nor hidden files); no ":" (unstorage's separator) or "\".
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const MAX_KEY_LENGTH = 512;
const MAX_SEGMENTS = 12;
// type/subtype with optional parameters; no CR/LF or quotes, as it becomes a header.
const MEDIA_TYPE = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;\s*[\w!#$&^.+-]+=[\w!#$&^.+-]+)*$/;

/** Checks a key (or a removeAll/list prefix) and answers it in unstorage's form (`a:b:c`). */
export function checkFileKey(key: string): string {
  const segments = typeof key === "string" ? key.split("/") : [];
  const ok =
    typeof key === "string" &&
    key.length <= MAX_KEY_LENGTH &&
    segments.length <= MAX_SEGMENTS &&
    segments.every((s) => SEGMENT.test(s) && !s.includes(".."));
  if (!ok) {
    // The key itself is not echoed: it may be anything a bug put there.
    throw new InvalidFileInputError(
      "invalid_file_key",
      `A file key is a relative path of at most ${MAX_SEGMENTS} segments of letters, digits, "_", "-" and "." (not leading, no ".."), at most ${MAX_KEY_LENGTH} characters.`,
    );
  }
  return segments.join(":");
}

function checkMediaType(mediaType: string): void {
  if (typeof mediaType !== "string" || mediaType.length > 255 || !MEDIA_TYPE.test(mediaType)) {
    throw new InvalidFileInputError("invalid_media_type", "A media type is type/subtype with optional parameters, e.g. application/pdf.");
  }
}

/**
 * A FileStore over an unstorage driver whose raw methods are binary-safe and which has a
 * clear(base) that clears only that base (local-driver.ts, oss-driver.ts). Errors that are not ours become
 * FileStoreError (files_unavailable).
 */
export function driverFileStore(
  kind: FileStore["kind"],
  driver: Driver,
  oss?: Omit<OssAccess, "objectName"> & { prefix: string },
): FileStore {
  if (!driver.clear) throw new TypeError("a FileStore's driver must clear by prefix");
  const storage: Storage = createStorage({ driver });
  const guard = async <T>(operation: FileOperation, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof FileStoreError || err instanceof InvalidFileInputError) throw err;
      throw new FileStoreError(operation, upstreamOf(err));
    }
  };
  return {
    kind,
    async put(key, bytes, mediaType) {
      const k = checkFileKey(key);
      checkMediaType(mediaType);
      if (!(bytes instanceof Uint8Array)) throw new TypeError("put takes the file's bytes as a Uint8Array");
      await guard("put", () => storage.setItemRaw(k, bytes, { mediaType }));
    },
    async get(key) {
      const k = checkFileKey(key);
      const value: unknown = await guard("get", () => storage.getItemRaw(k));
      return value instanceof Uint8Array ? value : null;
    },
    async has(key) {
      const k = checkFileKey(key);
      return guard("has", () => storage.hasItem(k));
    },
    async remove(key) {
      const k = checkFileKey(key);
      await guard("remove", () => storage.removeItem(k));
    },
    async removeAll(prefix) {
      const base = checkFileKey(prefix);
      // Straight to the driver: unstorage's storage.clear(base) only reaches mounts below base, so
      // for a base inside the one mount it silently does nothing (1.17 dist/index.mjs getMounts).
      await guard("removeAll", async () => driver.clear!(`${base}:`, {}));
    },
    async list(prefix) {
      const base = checkFileKey(prefix);
      const keys = await guard("list", () => storage.getKeys(base));
      return keys.map((k) => k.replaceAll(":", "/"));
    },
    dispose: () => storage.dispose(),
    ...(oss
      ? {
          oss: {
            bucket: oss.bucket,
            region: oss.region,
            endpoint: oss.endpoint,
            credentials: oss.credentials,
            objectName: (key: string) => (oss.prefix ? `${oss.prefix}/` : "") + checkFileKey(key).replaceAll(":", "/"),
          },
        }
      : {}),
  };
}

/**
 * The store FILE_STORAGE_URL names: a local folder, or OSS with the function role's credentials.
 * `credentials` is asked before every OSS request (oss-driver.ts says why it exists); by default
 * it answers the credentials the process started with.
 */
export async function openFileStore(
  config: Pick<Config, "files" | "cloudCredentials">,
  credentials: () => CloudCredentials | null = () => config.cloudCredentials,
): Promise<FileStore> {
  const files = config.files;
  if (files.kind === "local") return driverFileStore("local", localDriver(files.dir));
  // ali-oss and its dependencies load only when OSS is used: a local start does not pay for them.
  const { ossDriver } = await import("./oss-driver.js");
  const options = { bucket: files.bucket, endpoint: `https://${files.endpoint}`, region: files.region, prefix: files.prefix, credentials };
  return driverFileStore("oss", ossDriver(options), options);
}
