import { z } from "zod";
import { IdParam } from "../../http/route.js";
import { MAX_CRAWL_PAGES, MAX_FAQ_PAIRS, MAX_TEXT_CHARS } from "./knowledge-bounds.js";

const Title = z.string().trim().min(1).max(300);

export const KnowledgeSource = z.object({
  id: z.string(),
  kind: z.enum(["file", "url", "text", "faq"]),
  title: z.string(),
  url: z.string().nullable(),
  status: z.enum(["queued", "processing", "ready", "failed"]),
  /** why it failed, readable by the owner (in their dashboard's language when the code is known there) */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  chunks: z.number(),
  bytes: z.number(),
  /** while processing: passages read so far and how many of them are embedded; null otherwise */
  progress: z.object({ chunks: z.number(), embedded: z.number() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const HttpUrl = z
  .url({ protocol: /^https?$/, message: "Use an http(s) address such as https://shop.example.com/shipping." })
  .max(2048)
  .refine((u) => {
    // Refinements run even after the URL check failed: an invalid URL is that check's to report.
    const url = URL.parse(u);
    return !url || (!url.username && !url.password);
  }, "An address with a user name or password is not accepted.");

export const KnowledgeCreate = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("text"), title: Title, text: z.string().trim().min(1).max(MAX_TEXT_CHARS) }).strict(),
  z
    .object({
      kind: z.literal("faq"),
      title: Title,
      pairs: z
        .array(z.object({ q: z.string().trim().min(1).max(500), a: z.string().trim().min(1).max(5000) }).strict())
        .min(1)
        .max(MAX_FAQ_PAIRS),
    })
    .strict(),
  z
    .object({
      kind: z.literal("url"),
      url: HttpUrl,
      title: Title.optional(),
      /** 1 (the default): the page alone; more: the site's pages from its sitemap, or by following its links */
      crawl: z
        .object({ maxPages: z.number().int().min(1).max(MAX_CRAWL_PAGES) })
        .strict()
        .optional(),
    })
    .strict(),
]);
export type KnowledgeCreate = z.infer<typeof KnowledgeCreate>;

export const KnowledgeParams = z.object({ siteId: IdParam });
export const SourceParams = z.object({ siteId: IdParam, sourceId: IdParam });

export const SourceListResponse = z.object({ sources: z.array(KnowledgeSource) });
/** `sources`: every source the request added (several files at once); `source`: the first. */
export const SourceCreatedResponse = z.object({ source: KnowledgeSource, sources: z.array(KnowledgeSource) });
export const SourceResponse = z.object({ source: KnowledgeSource });

export const KnowledgeSearch = z.object({ q: z.string().trim().min(1).max(1000) }).strict();
export const KnowledgeSearchResponse = z.object({
  results: z.array(
    z.object({
      sourceId: z.string(),
      title: z.string(),
      url: z.string().nullable(),
      heading: z.string(),
      text: z.string(),
      score: z.number(),
      /** would the bot count it as an answer (in "only" mode, nothing relevant means "I don't know") */
      relevant: z.boolean(),
    }),
  ),
});
