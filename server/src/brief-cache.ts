import { LRUCache } from "lru-cache";

/**
 * A value read from the database on the hot path (plans, operator settings), kept in this process
 * for a few seconds: a change made here is seen at once (the writer calls `forget`), one made on
 * another instance within TTL_MS. Real time, not deps.now: it bounds staleness, not business rules.
 */
const TTL_MS = 5_000;

export interface BriefCache<T> {
  get(): Promise<T>;
  forget(): void;
}

/** One cache per `owner` (the deps' database): tests build many apps in one process. */
export function briefCache<K extends object, T>(load: (owner: K) => Promise<T>): (owner: K) => BriefCache<T> {
  const entries = new WeakMap<K, { value: Promise<T>; expires: number }>();
  return (owner) => ({
    get() {
      const hit = entries.get(owner);
      if (hit && hit.expires > performance.now()) return hit.value;
      const value = load(owner);
      entries.set(owner, { value, expires: performance.now() + TTL_MS });
      // A failed read is not remembered.
      value.catch(() => entries.delete(owner));
      return value;
    },
    forget: () => entries.delete(owner),
  });
}

/** Keys one process keeps at most per owner (one a site): least recently used out first. */
const MAX_KEYS = 10_000;

/** Like briefCache, one value per key (a site's id) of each owner. */
export function briefCacheBy<K extends object, T>(load: (owner: K, key: string) => Promise<T>): (owner: K, key: string) => BriefCache<T> {
  const owners = new WeakMap<K, LRUCache<string, { value: Promise<T> }>>();
  return (owner, key) => {
    let entries = owners.get(owner);
    if (!entries) owners.set(owner, (entries = new LRUCache({ max: MAX_KEYS, ttl: TTL_MS })));
    const cache = entries;
    return {
      get() {
        const hit = cache.get(key);
        if (hit) return hit.value;
        const value = load(owner, key);
        cache.set(key, { value });
        value.catch(() => cache.delete(key));
        return value;
      },
      forget: () => void cache.delete(key),
    };
  };
}
