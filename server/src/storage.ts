import { createStorage, type Storage } from "unstorage";
import memoryDriver from "unstorage/drivers/memory";

/** Cache-like data: this process's memory, or redis shared by every instance when REDIS_URL is set. */
export async function openStorage(redisUrl?: string): Promise<Storage> {
  if (!redisUrl) return createStorage({ driver: memoryDriver() });
  const { default: redisDriver } = await import("unstorage/drivers/redis");
  return createStorage({ driver: redisDriver({ url: redisUrl, base: "bailian-chat" }) });
}
