/**
 * A Bailian application cites its documents as `<ref>[n]</ref>` (n its doc_references index_id,
 * dashscope.md §5.2); we show citations as `[m]`, m our own numbering. Deltas may split a marker
 * anywhere ("<re" + "f>[1]</" + "ref>", §5.3's capture splits after "</"), so a tail that could
 * still become one is held back until it does (or cannot); everything else passes at once.
 */
const MARKER = /<ref>((?:\[\d+\])+)<\/ref>/g;
/** Every proper prefix of a marker (anchored), e.g. "<", "<ref>[1", "<ref>[1]</re". */
const PARTIAL = /^<(?:r(?:e(?:f(?:>(?:\[\d+\])*(?:\[\d*|<(?:\/(?:r(?:e(?:f)?)?)?)?)?)?)?)?)?$/;
/** Longer than any marker we expect; a "<ref>[…" run past it is not one and is let through. */
const MAX_HELD = 48;

export class RefRewriter {
  private held = "";

  /** `map`: our number for an app's index, or null to drop that citation (a document we do not show). */
  constructor(private readonly map: (index: number) => number | null) {}

  /** The text that can be shown now. */
  push(delta: string): string {
    const text = this.rewrite(this.held + delta);
    const cut = this.partialStart(text);
    this.held = text.slice(cut);
    return text.slice(0, cut);
  }

  /** At the end of the answer: a held tail that never became a marker is plain text. */
  flush(): string {
    const rest = this.held;
    this.held = "";
    return rest;
  }

  private rewrite(text: string): string {
    return text.replace(MARKER, (_, list: string) => {
      const ours: number[] = [];
      for (const [, n] of list.matchAll(/\[(\d+)\]/g)) {
        const m = this.map(Number(n));
        if (m !== null && !ours.includes(m)) ours.push(m);
      }
      return ours.map((m) => `[${m}]`).join("");
    });
  }

  /** Where a possible unfinished marker starts (the earliest), or text.length. */
  private partialStart(text: string): number {
    for (let i = Math.max(0, text.length - MAX_HELD); i < text.length; i++) {
      if (text.charCodeAt(i) === 60 /* < */ && PARTIAL.test(text.slice(i))) return i;
    }
    return text.length;
  }
}
