/**
 * The lazy chunks' file names, beside the chat chunk. rollup.widget.config.ts builds them before
 * the chat chunk and replaces each literal with the content-hashed name (the build fails if it cannot).
 */
export const HANDOFF_CHUNK_FILE = "chat-handoff.js";
export const MEDIA_CHUNK_FILE = "chat-media.js";
