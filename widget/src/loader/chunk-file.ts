/**
 * The chat chunk's file name, beside widget.js. rollup.widget.config.ts builds the chunk first
 * and replaces this literal with its content-hashed name (the build fails if it cannot).
 */
export const CHAT_CHUNK_FILE = "chat.js";
