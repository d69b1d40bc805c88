import type { Config } from "../config.js";
import { botUserAgent } from "./user-agent.js";

/** What every guarded fetch takes from the configuration: our user agent and FETCH_ALLOW_HOSTS. */
export function outboundFromConfig(config: Pick<Config, "publicUrl" | "fetchAllowHosts">): {
  userAgent: string;
  allowHosts: readonly string[];
} {
  return { userAgent: botUserAgent(config.publicUrl), allowHosts: config.fetchAllowHosts };
}
