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

const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
});

parentPort!.on("message", ({ id, password, userInputs }: CheckRequest) => {
  const { score, feedback } = zxcvbn.check(password, userInputs);
  const verdict: CheckVerdict = { id, score, feedback: [feedback.warning ?? "", ...feedback.suggestions].filter(Boolean) };
  parentPort!.postMessage(verdict);
});
