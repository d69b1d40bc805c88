import type { ChildProcess } from "node:child_process";

export interface ChildLogs {
  /** The server's JSON log lines so far (a line that is not JSON as `{raw}`). */
  lines: Array<Record<string, unknown>>;
  stderr(): string;
}

/** Collects a spawned server's stdout as JSON lines, and its stderr; `onLine` runs after each line. */
export function followLogs(child: ChildProcess, onLine: () => void = () => {}): ChildLogs {
  const lines: Array<Record<string, unknown>> = [];
  let buffered = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        lines.push(JSON.parse(line));
      } catch {
        lines.push({ raw: line });
      }
      onLine();
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return { lines, stderr: () => stderr };
}
