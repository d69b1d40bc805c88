/**
 * The handoff chunk's file name, beside the chat chunk. rollup.widget.config.ts builds the
 * handoff chunk before the chat chunk and replaces this literal with its content-hashed name.
 */
export const HANDOFF_CHUNK_FILE = "chat-handoff.js";
