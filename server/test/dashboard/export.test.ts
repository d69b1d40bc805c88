// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from "vitest";
import type { InboxConversation as Conversation } from "../../dashboard/src/api/types.js";
import { dayStart, rangeQuery } from "../../dashboard/src/export/date-range.js";
import { conversationsCsv, conversationsJson, csvField, download, exportFileName, toCsv } from "../../dashboard/src/export/export.js";

/** A strict RFC 4180 reader, to check that what we write reads back to the same cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else if (c === '"' || c === "\n" || c === "\r") throw new Error(`bare ${JSON.stringify(c)} at ${i}`);
    else cell += c;
  }
  if (cell || row.length) throw new Error("no CRLF after the last row");
  return rows;
}

const conversation = (over: Partial<Conversation>): Conversation => ({
  id: "cnv_1",
  visitorId: "vis_1",
  title: "hello",
  messageCount: 2,
  createdAt: "2026-11-27T10:00:00.000Z",
  updatedAt: "2026-11-27T10:05:00.000Z",
  ratedUp: 0,
  ratedDown: 0,
  ratingComments: [],
  status: "bot",
  assigneeId: null,
  assigneeName: null,
  visitorEmail: null,
  unread: 0,
  ...over,
});

describe("export of the conversation list", () => {
  afterEach(() => vi.restoreAllMocks());

  it("quotes every text, doubles quotes, keeps line breaks inside a cell, and leaves numbers bare", () => {
    expect(csvField("plain")).toBe('"plain"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
    expect(csvField("cr\r\nlf")).toBe('"cr\r\nlf"');
    expect(csvField(" padded ")).toBe('" padded "');
    expect(csvField(42)).toBe("42");
    expect(csvField(null)).toBe("");
  });

  // Regression (issue 11): unquoted, a `;`-separated spreadsheet split this into three cells and ran `=1+2`.
  it("keeps text with a semicolon in one quoted cell", () => {
    expect(csvField("x;=1+2;y")).toBe('"x;=1+2;y"');
    expect(parseCsv(`${csvField("x;=1+2;y")}\r\n`)[0]).toEqual(["x;=1+2;y"]);
  });

  it("defuses formulas a visitor could plant in a title (=, +, -, @ first)", () => {
    for (const evil of ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tx"]) {
      const cell = parseCsv(`${csvField(evil)}\r\n`)[0][0];
      expect(cell.startsWith("'"), evil).toBe(true);
      expect(cell.slice(1)).toBe(evil);
    }
    expect(csvField(-5)).toBe("-5"); // numbers are numbers
  });

  it("writes a BOM, a header and one CRLF row per conversation that read back to the same values", () => {
    const rows = [
      conversation({ title: '你好，"茶"怎么泡？\n第二行' }),
      conversation({ id: "cnv_2", title: "=cmd|' /C calc'!A0", messageCount: 10, status: "waiting", visitorEmail: "tea@example.com" }),
      conversation({ id: "cnv_3", title: "", ratedUp: 1, ratedDown: 2, ratingComments: ["Wrong date.", "=1+2 不对"] }),
    ];
    const csv = conversationsCsv(rows);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const table = parseCsv(csv.slice(1));
    expect(table[0]).toEqual([
      "id",
      "title",
      "visitorId",
      "messageCount",
      "createdAt",
      "updatedAt",
      "ratedUp",
      "ratedDown",
      "ratingComments",
      "status",
      "visitorEmail",
    ]);
    expect(table).toHaveLength(4);
    expect(table[1]).toEqual([
      "cnv_1",
      '你好，"茶"怎么泡？\n第二行',
      "vis_1",
      "2",
      "2026-11-27T10:00:00.000Z",
      "2026-11-27T10:05:00.000Z",
      "0",
      "0",
      "",
      "bot",
      "",
    ]);
    expect(table[2][1]).toBe("'=cmd|' /C calc'!A0");
    expect(table[3][1]).toBe("");
    // The ratings: counts as numbers, the comments one a line in one cell.
    expect(table[3].slice(6, 9)).toEqual(["1", "2", "Wrong date.\n=1+2 不对"]);
    // Handoff: the status and the email the visitor left.
    expect(table[2].slice(9)).toEqual(["waiting", "tea@example.com"]);
    expect(toCsv([], ["id"] as never)).toBe('\uFEFF"id"\r\n');
  });

  it("JSON carries the conversations shown, the site and the filters", () => {
    const rows = [conversation({}), conversation({ id: "cnv_2" })];
    const parsed = JSON.parse(
      conversationsJson(rows, { site: { id: "site_1", name: "Tea" }, filters: { q: "tea" }, exportedAt: "2026-11-28T00:00:00.000Z" }),
    );
    expect(parsed).toEqual({
      site: { id: "site_1", name: "Tea" },
      filters: { q: "tea" },
      exportedAt: "2026-11-28T00:00:00.000Z",
      count: 2,
      conversations: rows,
    });
  });

  it("names files safely and downloads them through a link to a Blob", async () => {
    expect(exportFileName('My "Tea" / Shop: 茶', "2026-11-28", "csv")).toBe("conversations-My-Tea-Shop-茶-2026-11-28.csv");
    expect(exportFileName("///", "2026-11-28", "json")).toBe("conversations-site-2026-11-28.json");
    const blobs: Blob[] = [];
    vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => (blobs.push(blob as Blob), "blob:test"));
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
    const clicked: Array<{ href: string; download: string }> = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download });
    });
    download("\uFEFFid\r\n", "x.csv", "text/csv;charset=utf-8");
    expect(clicked).toEqual([{ href: "blob:test", download: "x.csv" }]);
    expect(blobs[0].type).toBe("text/csv;charset=utf-8");
    expect(new Uint8Array(await blobs[0].arrayBuffer()).slice(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
    expect(document.querySelector("a[download]")).toBeNull();
  });

  it("the date filter sends the owner's whole days as instants (to = the next day's start)", () => {
    const from = dayStart("2026-11-03")!;
    expect(new Date(from).getHours()).toBe(0);
    expect(new Date(from).getDate()).toBe(3);
    const { to } = rangeQuery("", "2026-11-30");
    expect(new Date(to!).getDate()).toBe(1);
    expect(new Date(to!).getMonth()).toBe(11);
    expect(rangeQuery("", "")).toEqual({ from: undefined, to: undefined });
    expect(dayStart("nonsense")).toBeUndefined();
  });
});
