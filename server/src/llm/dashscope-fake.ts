// Local fake of DashScope: compatible-mode chat completions (with pictures, tools and speech
// recognition) and embeddings, and the native Bailian application, speech synthesis and Wanx
// endpoints; see dashscope-fake/server.ts.
export type {
  AppModelUsage,
  AppScript,
  DashScopeFake,
  EmbeddingScript,
  FakeApp,
  FakeAppDocument,
  FakeScript,
  ImageScript,
  RecordedRequest,
  SpeechScript,
  TtsScript,
  VisionScript,
} from "./dashscope-fake/types.js";
export { startDashScopeFake } from "./dashscope-fake/server.js";
export { fakeEmbedding } from "./dashscope-fake/embeddings.js";
