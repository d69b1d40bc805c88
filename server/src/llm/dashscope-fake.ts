// Local fake of DashScope: compatible-mode chat completions and embeddings, and the native Bailian
// application endpoint; see dashscope-fake/server.ts.
export type {
  AppModelUsage,
  AppScript,
  DashScopeFake,
  EmbeddingScript,
  FakeApp,
  FakeAppDocument,
  FakeScript,
  RecordedRequest,
} from "./dashscope-fake/types.js";
export { startDashScopeFake } from "./dashscope-fake/server.js";
export { fakeEmbedding } from "./dashscope-fake/embeddings.js";
