/**
 * Thrown by a job's step when trying again cannot help (the file is not a PDF, the page is gone):
 * the job fails at once, and `message` becomes its last_error, shown to the owner. Write it for
 * them: a short sentence, no stack, no secret.
 */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentJobError";
  }
}

const LAST_ERROR_MAX = 500;

/**
 * What a failed step leaves in last_error. Only a PermanentJobError's message is the handler's
 * sentence for the owner; any other error's message may quote a file, a URL with credentials or a
 * key, so only its name and code are kept (as app.ts logs errors).
 */
export function lastErrorOf(err: unknown): string {
  if (err instanceof PermanentJobError) return err.message.slice(0, LAST_ERROR_MAX) || "The job failed.";
  if (!(err instanceof Error)) return "The step failed.";
  const name = /^[A-Za-z_$][\w$]{0,63}$/.test(err.name) ? err.name : "Error";
  const code = (err as { code?: unknown }).code;
  const safeCode = (typeof code === "string" && /^[\w.-]{1,64}$/.test(code)) || typeof code === "number" ? ` (${code})` : "";
  return `The step failed: ${name}${safeCode}.`;
}
