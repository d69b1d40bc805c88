import { expect } from "vitest";

export interface ErrorJson {
  error: { code: string; message: string; issues?: Array<{ path: string; message: string }> };
}

/**
 * Asserts an error answer as a client sees it: the status, a JSON body of exactly
 * `{ error: { code, message[, issues] } }` (nothing else, no stack), and the code.
 */
export async function expectError(res: Response, status: number, code: string): Promise<ErrorJson> {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status });
  expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json/);
  const body = JSON.parse(text) as ErrorJson;
  expectErrorShape(body);
  expect(body.error.code).toBe(code);
  return body;
}

export function expectErrorShape(body: unknown): asserts body is ErrorJson {
  expect(body).toBeTypeOf("object");
  expect(Object.keys(body as object)).toEqual(["error"]);
  const error = (body as ErrorJson).error;
  const keys = Object.keys(error).sort();
  expect([
    ["code", "message"],
    ["code", "issues", "message"],
  ]).toContainEqual(keys);
  expect(error.code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  expect(typeof error.message).toBe("string");
  expect(error.message.length).toBeGreaterThan(0);
  expect(error.message).not.toMatch(/\n\s+at /); // no stack trace
  if (error.issues !== undefined) {
    expect(Array.isArray(error.issues)).toBe(true);
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      expect(Object.keys(issue).sort()).toEqual(["message", "path"]);
      expect(typeof issue.path).toBe("string");
      expect(typeof issue.message).toBe("string");
    }
  }
}
