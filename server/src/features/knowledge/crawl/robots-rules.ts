import robotsModule from "robots-parser";
import { BOT_TOKEN } from "../../../outbound/user-agent.js";

// robots-parser is CommonJS (module.exports = the function) with types written as an ES default
// export: Node hands us the function, the types promise { default }; this accepts either.
const robotsParser = (typeof robotsModule === "function" ? robotsModule : robotsModule.default) as typeof robotsModule.default;

/**
 * robots.txt for the crawler. The crawl's state is stored between steps in a text column, so
 * only the group that applies to us is kept (ours if the file names BailianChatBot, else `*`),
 * rewritten under `User-agent: *`: robots-parser then answers for it exactly as for the file.
 */

const KEEP_CHARS = 8_000;
const token = BOT_TOKEN.toLowerCase();
// robots-parser's own normalisation: lower case, without a /version.
const agentOf = (value: string) => value.toLowerCase().split("/")[0].trim();

export function compactRobots(text: string): string {
  const groups: Array<{ agents: string[]; rules: string[] }> = [];
  let inAgents = false;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.replace(/#.*$/, "").trim();
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === "user-agent") {
      if (!inAgents) groups.push({ agents: [], rules: [] });
      groups.at(-1)!.agents.push(agentOf(value));
      inAgents = true;
    } else if (key === "allow" || key === "disallow" || key === "crawl-delay") {
      inAgents = false;
      groups.at(-1)?.rules.push(`${key}: ${value}`);
    } else {
      inAgents = false;
    }
  }
  const ours = groups.filter((g) => g.agents.includes(token));
  const applying = ours.length ? ours : groups.filter((g) => g.agents.includes("*"));
  let kept = "User-agent: *\n";
  for (const rule of applying.flatMap((g) => g.rules)) {
    // A rule past the budget is dropped; a file this large is almost always generated noise.
    if (kept.length + rule.length + 1 > KEEP_CHARS) break;
    kept += `${rule}\n`;
  }
  return kept;
}

/** The sitemaps a robots.txt names (Sitemap: lines apply to every agent). */
export function robotsSitemaps(text: string): string[] {
  return [...text.matchAll(/^\s*sitemap\s*:\s*(\S+)/gim)].map((m) => m[1]);
}

export interface RobotsCheck {
  allows(url: string): boolean;
  /** Crawl-delay in milliseconds, capped at a minute; null when none is set */
  delayMs: number | null;
}

export function robotsCheck(origin: string, rules: string): RobotsCheck {
  const robots = robotsParser(`${origin}/robots.txt`, rules);
  const delay = robots.getCrawlDelay(BOT_TOKEN);
  return {
    // undefined: the URL is on another origin, which the crawler never fetches anyway.
    allows: (url) => robots.isAllowed(url, BOT_TOKEN) === true,
    delayMs: typeof delay === "number" && delay > 0 ? Math.min(delay, 60) * 1000 : null,
  };
}
