/**
 * The keyword side's terms. Chinese and Japanese have no spaces between words, so a run of CJK
 * characters is indexed as its overlapping character bigrams (退货政策 → 退货 货政 政策): no
 * dictionary, every word of two or more characters is found inside any longer run, and it costs
 * about 0.07 ms per 1,000 characters. Intl.Segmenter was measured and left out: eight times slower,
 * and its dictionary cuts shop words apart (怎么退货 → 怎么 | 退 | 货), so a query for 退货 would
 * no longer ask for 退货. A query's asking words (怎么, 请问, how, …) are cut out before its bigrams
 * are taken, so 怎么退货 asks for 退货 alone. Latin script: lower-cased words and numbers, a
 * light stem (returns → return, shipping and shipped → ship; see stem()).
 */

const CJK_CLASS = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}`;
const CJK_START = new RegExp(`^[${CJK_CLASS}]`, "v");
// A CJK run, or a run of other letters and digits (7天 is two tokens: 7 and 天).
const TOKEN = new RegExp(`[${CJK_CLASS}]+|[[\\p{L}\\p{N}]--[${CJK_CLASS}]]+`, "gv");

const LATIN_STOP_WORDS = new Set(
  (
    "a an and are as at be but by can could do does did for from had has have how i if in into is it its me my no not of on or " +
    "our please so than that the their them then there these they this to us was we what when where which who why will with " +
    "would you your"
  ).split(" "),
);
// Cut out of a query's CJK runs, longest first. Single characters only where they are particles,
// never inside a shop word (的 is left: 目的).
const CJK_STOP_WORDS = (
  "为什么 能不能 有没有 请问 怎么 怎样 如何 什么 哪些 哪里 哪个 多少 可以 能否 是否 一下 我们 你们 这个 那个 这些 那些 " +
  "吗 呢 吧 啊 我 您"
)
  .split(" ")
  .sort((a, b) => b.length - a.length);
const CJK_STOP = new RegExp(CJK_STOP_WORDS.join("|"), "g");

function latinTerm(word: string): string | undefined {
  const w = word.toLowerCase();
  // A lone letter is a possessive's s or an initial; a lone digit is kept (7 days).
  if (LATIN_STOP_WORDS.has(w) || (w.length === 1 && !/\p{N}/u.test(w))) return undefined;
  return stem(w);
}

/**
 * A light English stem, so that a question's "shipping" finds a page's "ships" and "shipped":
 * -ing, -ed and a plural -s/-es go (a doubled final consonant left behind is undone: shipp →
 * ship). Deliberately small: no dictionary, and short words are left alone (news, bed, sing).
 */
function stem(w: string): string {
  if (!/^[a-z]+$/.test(w) || w.length <= 3) return w;
  let s = w;
  if (s.length > 5 && s.endsWith("ing")) s = s.slice(0, -3);
  else if (s.length > 4 && s.endsWith("ed")) s = s.slice(0, -2);
  else if (s.length > 4 && /(ches|shes|sses|xes)$/.test(s)) s = s.slice(0, -2);
  else if (s.endsWith("s") && !s.endsWith("ss") && !s.endsWith("us")) s = s.slice(0, -1);
  if (s !== w && /([b-df-hj-np-tv-z])\1$/.test(s) && !/(ll|ss|zz)$/.test(s)) s = s.slice(0, -1);
  return s;
}

function pushBigrams(run: string, out: string[]): void {
  const chars = Array.from(run);
  // A lone character (a one-character word between punctuation) is kept as it is.
  if (chars.length === 1) out.push(chars[0]);
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
}

/** Every term of a document (heading and text), repeated as often as it occurs: BM25 counts them. */
export function documentTerms(text: string): string[] {
  const out: string[] = [];
  for (const [token] of text.matchAll(TOKEN)) {
    if (CJK_START.test(token)) pushBigrams(token, out);
    else {
      const term = latinTerm(token);
      if (term) out.push(term);
    }
  }
  return out;
}

/** The distinct terms a query asks for, in the vocabulary of documentTerms. */
export function queryTerms(text: string): string[] {
  const out: string[] = [];
  for (const [token] of text.matchAll(TOKEN)) {
    if (!CJK_START.test(token)) {
      const term = latinTerm(token);
      if (term) out.push(term);
      continue;
    }
    for (const run of token.replace(CJK_STOP, " ").split(" ")) if (run) pushBigrams(run, out);
  }
  return [...new Set(out)];
}
