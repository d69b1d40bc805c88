/**
 * The server's own bounds on knowledge, whatever the plan: they keep one request, one job step and
 * one site's in-process index within what an instance holds. A plan may bound a site lower
 * (plans.schemas.ts `knowledge`); past these, a site's content belongs in a Bailian application.
 */

/** one uploaded file */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** files in one upload request */
export const MAX_FILES_PER_REQUEST = 10;
/** one upload request, every file and the form's framing: within Function Compute's 32 MB request body */
export const MAX_UPLOAD_BYTES = 30 * 1024 * 1024;
/** pasted text */
export const MAX_TEXT_CHARS = 200_000;
export const MAX_FAQ_PAIRS = 500;
/** pages of one crawled site */
export const MAX_CRAWL_PAGES = 200;
/** sources and chunks of one site: 50,000 chunks is the retrieval bench's largest index */
export const MAX_SOURCES_PER_SITE = 1_000;
export const MAX_CHUNKS_PER_SITE = 50_000;
