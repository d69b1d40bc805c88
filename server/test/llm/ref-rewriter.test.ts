import { describe, expect, it } from "vitest";
import { RefRewriter } from "../../src/llm/ref-rewriter.js";

/** The app's index 4 is our source 1, 2 our 2; 9 is a document we do not show. */
const ours = (n: number) => ({ 4: 1, 2: 2 })[n] ?? null;

function run(deltas: string[]): string {
  const r = new RefRewriter(ours);
  return deltas.map((d) => r.push(d)).join("") + r.flush();
}

const TEXT = "Returns take 30 days<ref>[4]</ref>, shipping a week<ref>[2][4]</ref>; see<ref>[9]</ref> also <b>bold</b> and a < b.";
const WANT = "Returns take 30 days[1], shipping a week[2][1]; see also <b>bold</b> and a < b.";

describe("RefRewriter", () => {
  it("rewrites whole markers and drops unmapped ones", () => {
    expect(run([TEXT])).toBe(WANT);
  });

  it("gives the same text for every split point", () => {
    for (let i = 0; i <= TEXT.length; i++) expect(run([TEXT.slice(0, i), TEXT.slice(i)]), `split at ${i}`).toBe(WANT);
  });

  it("gives the same text one character at a time", () => {
    expect(run(Array.from(TEXT))).toBe(WANT);
  });

  it("holds back only a possible partial tag", () => {
    const r = new RefRewriter(ours);
    expect(r.push("Answer<re")).toBe("Answer");
    expect(r.push("f>[4]</")).toBe("");
    expect(r.push("ref>，done <")).toBe("[1]，done ");
    expect(r.push("p>")).toBe("<p>");
    expect(r.push("x <ref>[2]")).toBe("x ");
    // The answer ended inside what looked like a marker: it was text after all.
    expect(r.flush()).toBe("<ref>[2]");
  });

  it("lets a long run that cannot be a marker through", () => {
    const r = new RefRewriter(ours);
    const junk = `<ref>${"[1]".repeat(30)}`;
    expect(r.push(junk) + r.flush()).toBe(junk);
  });
});
