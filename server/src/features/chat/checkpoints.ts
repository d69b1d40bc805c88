import type { Db } from "../../db/database.js";
import type { Logger } from "../../logger.js";
import { type CutOff, checkpointAnswers } from "./chat.repository.js";

/** A streaming answer's new text is written at most this often. */
const CHECKPOINT_MS = 1_000;

interface Tracked {
  text: () => string;
  written: number;
  lastWriteAt: number;
}

/** One streaming answer, as the answer task sees its checkpoints. */
export interface Checkpointed {
  /** No more checkpoints: the answer's final write follows (either order of the two is safe). */
  stop(): void;
}

/**
 * Keeps every answer streaming on this instance no more than one checkpoint behind what its
 * visitor saw, and its lease (checkpoint_at) fresh while no text comes (the model thinking,
 * retries), so that an instance that dies (killed, or frozen past the lease) leaves its last
 * checkpoints, and a live answer is never taken for dead (chat.repository.ts settleCutAnswers).
 * One statement a second for all of them: one a second for each answer held the pool's
 * connections away from new questions when 200 answers streamed at once on MariaDB.
 */
export class Checkpoints {
  private readonly answers = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | null = null;
  private writing = false;
  private failing = false;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly leaseMs: number,
    private readonly now: () => number,
  ) {}

  /** Checkpoints the answer `messageId` (its row is already written, streaming) from now until stop(). */
  track(messageId: string, text: () => string): Checkpointed {
    this.answers.set(messageId, { text, written: 0, lastWriteAt: this.now() });
    if (!this.timer) {
      this.timer = setInterval(() => void this.write(), Math.min(CHECKPOINT_MS, this.renewMs()));
      this.timer.unref();
    }
    return {
      stop: () => {
        this.answers.delete(messageId);
        if (!this.answers.size && this.timer) {
          clearInterval(this.timer);
          this.timer = null;
        }
      },
    };
  }

  /**
   * Which streaming answers are cut off, as this instance sees them: those whose lease ran out,
   * except its own, which are alive however late their lease (it was frozen, and has just thawed).
   */
  cutOff(): CutOff {
    return { staleBefore: this.now() - this.leaseMs, live: [...this.answers.keys()] };
  }

  /** Renewed three times a lease: a late tick or a slow write still leaves the lease fresh. */
  private renewMs(): number {
    return Math.max(100, Math.floor(this.leaseMs / 3));
  }

  private async write(): Promise<void> {
    if (this.writing) return;
    const at = this.now();
    const due: Array<{ id: string; content: string | null; answer: Tracked; length: number }> = [];
    for (const [id, answer] of this.answers) {
      const text = answer.text();
      if (text.length > answer.written) due.push({ id, content: text, answer, length: text.length });
      else if (at - answer.lastWriteAt >= this.renewMs()) due.push({ id, content: null, answer, length: answer.written });
    }
    if (!due.length) return;
    this.writing = true;
    try {
      await checkpointAnswers(this.db, due, at);
      for (const { answer, length } of due) {
        answer.written = length;
        answer.lastWriteAt = at;
      }
      this.failing = false;
    } catch (err) {
      // The next tick tries again; each answer's final write has its own retries. Logged once an outage.
      if (!this.failing)
        this.logger.error({ msg: "checkpoints not written", answers: due.length, code: (err as { code?: string })?.code ?? null });
      this.failing = true;
    } finally {
      this.writing = false;
    }
  }
}
