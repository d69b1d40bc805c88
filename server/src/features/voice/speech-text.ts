/** Read-aloud is capped here: a long answer is read up to this many characters (docs/media.md). */
export const MAX_SPEECH_CHARS = 2000;

/**
 * An answer as it is read aloud: its markdown taken out (what a listener must not hear: link
 * targets, emphasis marks, code fences, citation numbers, table pipes), at most MAX_SPEECH_CHARS.
 */
export function speechText(markdown: string): string {
  const text = markdown
    .replace(/```[^\n]*\n([\s\S]*?)```/g, "$1")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    .replace(/\s*\[(\d+)\]/g, "")
    .replace(/^\s{0,3}#{1,6}\s+/gm, "")
    .replace(/^\s{0,3}>\s?/gm, "")
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+/gm, "")
    .replace(/^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$/gm, "")
    .replace(/\|/g, " ")
    .replace(/(\*\*|__|~~)(.+?)\1/g, "$2")
    .replace(/(^|[^\w*])[*_]([^*_\n]+)[*_](?=[^\w*]|$)/g, "$1$2")
    .replace(/^\s*(?:[-*_]\s*){3,}$/gm, "")
    .replace(/[ \t]+/g, " ")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return Array.from(text).slice(0, MAX_SPEECH_CHARS).join("");
}
