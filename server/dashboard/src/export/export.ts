import type { InboxConversation as Conversation } from "../api/types.js";

/**
 * Export of the conversation list the owner sees: CSV (RFC 4180 quoting, CRLF, a UTF-8 BOM so
 * Excel reads Chinese) and JSON, built in the browser and downloaded.
 */

export const CONVERSATION_COLUMNS = [
  "id",
  "title",
  "visitorId",
  "messageCount",
  "createdAt",
  "updatedAt",
  "ratedUp",
  "ratedDown",
  "ratingComments",
  // handoff (issue 13): where the conversation stands, and the email the visitor left for the team
  "status",
  "visitorEmail",
] as const satisfies ReadonlyArray<keyof Conversation>;

/**
 * One CSV field. Text is always quoted (quotes doubled): a spreadsheet in a locale that separates
 * with `;` split an unquoted `x;=1+2;y` into cells and ran `=1+2`. Text that a spreadsheet would
 * run as a formula (=, +, -, @, tab, CR first) also gets a leading apostrophe: titles are
 * visitors' words, and a visitor must not be able to plant a formula in the owner's Excel.
 * Numbers stay bare, so they stay numbers.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

export function toCsv<T extends object>(rows: readonly T[], columns: ReadonlyArray<keyof T & string>): string {
  const lines = [columns.map(csvField).join(","), ...rows.map((row) => columns.map((c) => csvField(row[c])).join(","))];
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

export function conversationsCsv(conversations: readonly Conversation[]): string {
  // A conversation's comments in one cell, one a line.
  return toCsv(
    conversations.map((c) => ({ ...c, ratingComments: c.ratingComments.join("\n") })),
    CONVERSATION_COLUMNS,
  );
}

export interface ExportContext {
  site: { id: string; name: string };
  filters: { q?: string; from?: string; to?: string; rating?: "up" | "down" };
  exportedAt: string;
}

export function conversationsJson(conversations: readonly Conversation[], context: ExportContext): string {
  return `${JSON.stringify({ ...context, count: conversations.length, conversations }, null, 2)}\n`;
}

/** A file name safe on every system: the site's name, the day, the extension. */
export function exportFileName(siteName: string, day: string, extension: "csv" | "json"): string {
  const base =
    siteName
      .normalize("NFKC")
      .replace(/[\\/:*?"<>|\u0000-\u001f]+/g, "")
      .replace(/\s+/g, "-")
      .slice(0, 60) || "site";
  return `conversations-${base}-${day}.${extension}`;
}

/** Saves text as a file through a temporary link. */
export function download(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Some browsers start the download after the click returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
