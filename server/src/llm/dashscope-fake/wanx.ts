// Wanx text-to-image in the fake (dashscope.md §7.1–7.2): an async task PENDING → RUNNING →
// SUCCEEDED over successive polls, its result a real PNG served by the fake itself.
import { createHash, randomUUID } from "node:crypto";
import { nativeError, sendNativeError } from "./apps.js";
import { fakePng } from "./media-bytes.js";
import { sendJson, type Exchange } from "./runners.js";
import type { ImageScript } from "./types.js";

/** Result files are served here, without auth, as DashScope's result bucket serves signed URLs. */
export const RESULTS_PATH = "/__fake/results/";

interface Task {
  id: string;
  prompt: string;
  width: number;
  height: number;
  polls: number;
  submitted: Date;
  script: ImageScript | undefined;
}

const stamp = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");

export function createWanx() {
  const tasks = new Map<string, Task>();

  // any: request bodies are the clients' JSON, unchecked (see types.ts).
  function submit(ex: Exchange, body: any, script: () => ImageScript | undefined): void {
    const bad = (message: string) => sendNativeError(ex, nativeError("InvalidParameter", 400, message));
    // Image endpoints take no synchronous call (§7.1).
    if (String(ex.req.headers["x-dashscope-async"] ?? "").toLowerCase() !== "enable") {
      return sendNativeError(ex, nativeError("AccessDenied", 403, "current user api does not support synchronous calls."));
    }
    if (typeof body?.model !== "string" || !/^wanx/.test(body.model)) return bad("Model not exist.");
    const prompt = body?.input?.prompt;
    if (typeof prompt !== "string" || prompt.trim() === "") return bad("input.prompt must not be empty.");
    const size = String(body?.parameters?.size ?? "1024*1024");
    const [width, height] = size.split("*").map(Number);
    // wanx2.x: each side 512–1440 (§7.2).
    if (!width || !height || [width, height].some((s) => s < 512 || s > 1440)) return bad(`The size ${size} is not supported.`);
    const queued = script();
    if (queued?.kind === "error") return sendNativeError(ex, nativeError(queued.code, queued.status, queued.message));
    const task: Task = { id: randomUUID(), prompt, width, height, polls: 0, submitted: new Date(), script: queued };
    tasks.set(task.id, task);
    sendJson(ex.res, 200, { output: { task_status: "PENDING", task_id: task.id }, request_id: ex.rid });
  }

  /** First poll RUNNING, second the end (SUCCEEDED unless a script says otherwise). */
  function poll(ex: Exchange, id: string, origin: string): void {
    const task = tasks.get(id);
    // A task missing or expired: still 200 (§7.1).
    if (!task) return sendJson(ex.res, 200, { request_id: ex.rid, output: { task_id: id, task_status: "UNKNOWN" } });
    task.polls++;
    const times = { submit_time: stamp(task.submitted), scheduled_time: stamp(task.submitted) };
    const running = task.polls < 2 || task.script?.kind === "never";
    if (running) {
      return sendJson(ex.res, 200, {
        request_id: ex.rid,
        output: { task_id: id, task_status: "RUNNING", ...times, task_metrics: { TOTAL: 1, SUCCEEDED: 0, FAILED: 0 } },
      });
    }
    const end = { ...times, end_time: stamp(new Date()) };
    if (task.script?.kind === "failed") {
      const code = task.script.code ?? "DataInspectionFailed";
      const message = task.script.message ?? "Output data may contain inappropriate content.";
      return sendJson(ex.res, 200, { request_id: ex.rid, output: { task_id: id, task_status: "FAILED", ...end, code, message } });
    }
    sendJson(ex.res, 200, {
      request_id: ex.rid,
      output: {
        task_id: id,
        task_status: "SUCCEEDED",
        ...end,
        results: [{ orig_prompt: task.prompt, actual_prompt: task.prompt, url: `${origin}${RESULTS_PATH}${id}.png` }],
        task_metrics: { TOTAL: 1, SUCCEEDED: 1, FAILED: 0 },
      },
      usage: { image_count: 1 },
    });
  }

  /** A finished task's picture: a PNG of its size, its colour from the prompt. */
  function result(ex: Exchange, name: string): void {
    const task = tasks.get(name.replace(/\.png$/, ""));
    if (
      !task ||
      task.polls < 2 ||
      task.script?.kind === "missing-result" ||
      task.script?.kind === "failed" ||
      task.script?.kind === "never"
    ) {
      ex.res.writeHead(404, { "content-type": "application/xml" });
      ex.res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code></Error>');
      return;
    }
    const hash = createHash("sha256").update(task.prompt).digest();
    const png = fakePng(task.width, task.height, [hash[0]!, hash[1]!, hash[2]!]);
    ex.res.writeHead(200, { "content-type": "image/png", "content-length": png.length });
    ex.res.end(png);
  }

  return { submit, poll, result, reset: () => tasks.clear() };
}
