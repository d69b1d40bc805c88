/**
 * One JSON object per line on stdout (Function Compute ships stdout to SLS). Callers pass
 * fields, never message text or secrets: a test reads these lines to hold us to that.
 */
export interface Logger {
  info(fields: Record<string, unknown>): void;
  error(fields: Record<string, unknown>): void;
}

export function jsonLogger(write: (line: string) => void = (l) => process.stdout.write(l + "\n")): Logger {
  const emit = (level: string, fields: Record<string, unknown>) =>
    write(JSON.stringify({ time: new Date().toISOString(), level, ...fields }));
  return { info: (f) => emit("info", f), error: (f) => emit("error", f) };
}

/** Collects lines in memory: tests assert on what was (not) logged. */
export function memoryLogger(): Logger & { lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return {
    lines,
    info: (f) => lines.push({ level: "info", ...f }),
    error: (f) => lines.push({ level: "error", ...f }),
  };
}
