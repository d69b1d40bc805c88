import { createStorage, type Storage } from "unstorage";
import lruCacheDriver from "unstorage/drivers/lru-cache";

/**
 * One process's cache holds at most this many entries and bytes, least recently used out first:
 * anyone can ask for unknown site keys, and each miss is remembered for a while.
 */
export const MEMORY_CACHE_MAX_ENTRIES = 10_000;
const MEMORY_CACHE_MAX_BYTES = 32 * 1024 * 1024;

/** Cache-like data: this process's memory, or redis shared by every instance when REDIS_URL is set. */
export async function openStorage(redisUrl?: string): Promise<Storage> {
  if (!redisUrl) return createStorage({ driver: lruCacheDriver({ max: MEMORY_CACHE_MAX_ENTRIES, maxSize: MEMORY_CACHE_MAX_BYTES }) });
  const { default: redisDriver } = await import("unstorage/drivers/redis");
  return createStorage({ driver: redisDriver({ url: redisUrl, base: "bailian-chat" }) });
}
