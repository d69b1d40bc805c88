import type { AppDeps } from "../../deps.js";
import { checkpointAnswer } from "./chat.repository.js";

/** A streaming answer's new text is written at most this often: one statement a second, not one per delta. */
const CHECKPOINT_MS = 1_000;
/** …or at once when this much new text has come since the last write. */
const CHECKPOINT_CHARS = 2_000;

/**
 * Keeps a streaming answer's row no more than one checkpoint behind what the visitor saw, and its
 * lease (checkpoint_at) fresh while no text comes (the model thinking, retries), so that an
 * instance that dies (killed, or frozen past the lease) leaves its last checkpoint, and a live one
 * is never taken for dead (chat.repository.ts settleCutAnswers).
 */
export class AnswerCheckpoints {
  private written = 0;
  private lastWriteAt: number;
  private writing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  private failed = false;

  constructor(
    private readonly deps: Pick<AppDeps, "db" | "logger" | "now" | "config">,
    private readonly messageId: string,
    private readonly siteId: string,
    private readonly text: () => string,
  ) {
    this.lastWriteAt = deps.now();
    const renewMs = this.renewMs();
    this.timer = setInterval(() => this.tick(), Math.min(CHECKPOINT_MS, renewMs));
    this.timer.unref();
  }

  /** New text came: written at the next tick, or now when much has piled up. */
  grew(): void {
    if (this.text().length - this.written >= CHECKPOINT_CHARS) this.tick();
  }

  /** No more checkpoints; resolves when the one being written (if any) is done, before the final write. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
  }

  /** Renewed three times a lease: a late tick or a slow write still leaves the lease fresh. */
  private renewMs(): number {
    return Math.max(100, Math.floor(this.deps.config.answerLeaseMs / 3));
  }

  private tick(): void {
    if (this.writing) return;
    const text = this.text();
    const at = this.deps.now();
    const changed = text.length > this.written;
    if (!changed && at - this.lastWriteAt < this.renewMs()) return;
    this.writing = checkpointAnswer(this.deps.db, this.messageId, changed ? text : null, at)
      .then(
        () => {
          this.written = text.length;
          this.lastWriteAt = at;
        },
        (err: unknown) => {
          // The next tick tries again; the final write has its own retries. Logged once an answer.
          if (!this.failed)
            this.deps.logger.error({ msg: "checkpoint not written", siteId: this.siteId, code: (err as { code?: string })?.code ?? null });
          this.failed = true;
        },
      )
      .finally(() => (this.writing = null));
  }
}
