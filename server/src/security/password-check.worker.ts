// The password checker's own thread (password-strength.ts): zxcvbn's dictionaries live here, and
// go with the thread when it ends, instead of staying in the server's heap for good.
import { parentPort } from "node:worker_threads";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as en from "@zxcvbn-ts/language-en";

export interface CheckRequest {
  id: number;
  password: string;
  userInputs: string[];
}

export interface CheckVerdict {
  id: number;
  score: number;
  /** zxcvbn's English feedback: its warning first, then its suggestions (empty ones left out) */
  feedback: string[];
}

/** The module object whichever way the package is loaded (a bundled CommonJS package is its `default`). */
const moduleOf = <T extends object>(imported: T): T => {
  const commonJs = (imported as { default?: unknown }).default;
  return typeof commonJs === "object" && commonJs !== null ? (commonJs as T) : imported;
};
const commonWords = moduleOf(common);
const english = moduleOf(en);
const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...commonWords.dictionary, ...english.dictionary },
  graphs: commonWords.adjacencyGraphs,
  translations: english.translations,
});

parentPort!.on("message", ({ id, password, userInputs }: CheckRequest) => {
  const { score, feedback } = zxcvbn.check(password, userInputs);
  const verdict: CheckVerdict = { id, score, feedback: [feedback.warning ?? "", ...feedback.suggestions].filter(Boolean) };
  parentPort!.postMessage(verdict);
});
