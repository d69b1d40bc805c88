/** What a visitor keeps per site key across reloads, later visits and in-page navigation. */
export interface SavedSession {
  token?: string;
  conversationId?: string;
}

export interface SessionStore {
  read(): SavedSession;
  write(patch: SavedSession): void;
}

export const storageKey = (siteKey: string) => `bailian-chat:${siteKey}`;

/**
 * localStorage of the host page's origin, one entry per site key. Storage can be missing or
 * throw (blocked storage, Safari's private mode, a full quota): the widget then keeps the
 * session in memory for this page view and still works.
 */
export function createSessionStore(siteKey: string): SessionStore {
  const key = storageKey(siteKey);
  let memory: SavedSession = {};
  const read = (): SavedSession => {
    try {
      const raw = localStorage.getItem(key);
      const parsed: unknown = raw ? JSON.parse(raw) : {};
      if (parsed && typeof parsed == "object") {
        const { token, conversationId } = parsed as Record<string, unknown>;
        memory = {
          ...(typeof token == "string" ? { token } : {}),
          ...(typeof conversationId == "string" ? { conversationId } : {}),
        };
      }
    } catch {
      // unreadable or corrupt: keep what this page view knows
    }
    return { ...memory };
  };
  return {
    read,
    write(patch) {
      const next: Record<string, unknown> = { ...read(), ...patch };
      for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
      memory = next as SavedSession;
      try {
        localStorage.setItem(key, JSON.stringify(next));
      } catch {
        // see above: memory only
      }
    },
  };
}
