/**
 * Every test fails when a server error reached a test logger and the test did not take it
 * (h3's convention: an error spy that fails a test whose status looked right). Registered for
 * every file by vitest.config.ts; loggers join with watchErrors().
 */
import { afterEach, expect } from "vitest";

type Lines = Array<Record<string, unknown>>;
const watched = new Set<Lines>();

/** Errors logged to `lines` fail the test they happen in, unless the test takes them first (takeErrors). */
export function watchErrors(lines: Lines): () => void {
  watched.add(lines);
  return () => watched.delete(lines);
}

/** The error lines logged so far, removed so that the guard does not fail the test for them. */
export function takeErrors(lines: Lines): Lines {
  const errors = lines.filter((l) => l.level === "error");
  const rest = lines.filter((l) => l.level !== "error");
  lines.length = 0;
  lines.push(...rest);
  return errors;
}

afterEach(() => {
  const stray = [...watched].flatMap(takeErrors);
  expect(stray, "a server error was logged that the test did not expect").toEqual([]);
});
