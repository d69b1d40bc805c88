import OpenAI from "openai";

/**
 * One openai SDK client per DashScope key (the platform's and each site's own), kept for reuse:
 * its connection pool is per client. Retries are ours, never the SDK's (only retryable kinds, each
 * attempt recorded), and logLevel is off: the SDK would otherwise print a malformed chunk, which
 * may quote an answer, to the console.
 */
export function openAiClients(options: { baseUrl: string; timeoutMs: number }): (apiKey: string) => OpenAI {
  const clients = new Map<string, OpenAI>();
  return (apiKey) => {
    let client = clients.get(apiKey);
    if (!client) {
      client = new OpenAI({ apiKey, baseURL: options.baseUrl, maxRetries: 0, timeout: options.timeoutMs, logLevel: "off" });
      // Bounded: sites' keys come and go.
      if (clients.size > 100) clients.clear();
      clients.set(apiKey, client);
    }
    return client;
  };
}
