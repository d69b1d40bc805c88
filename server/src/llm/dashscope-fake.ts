// Local fake of DashScope's OpenAI-compatible chat completions endpoint; see dashscope-fake/server.ts.
export type { DashScopeFake, FakeScript, RecordedRequest } from "./dashscope-fake/types.js";
export { startDashScopeFake } from "./dashscope-fake/server.js";
