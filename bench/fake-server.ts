// The local DashScope fake in a process of its own, so the benchmark's client does not share its event loop.
import { startDashScopeFake } from "../server/src/llm/dashscope-fake.js";

const fake = await startDashScopeFake({ port: Number(process.env.PORT), host: "127.0.0.1" });
process.on("SIGTERM", () => void fake.close().then(() => process.exit(0)));
