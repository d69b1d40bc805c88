/**
 * Field checks mirroring the server's zod schemas (the server's *.schemas.ts files), so an
 * owner learns of a mistake while typing. The server still decides: its issues are shown too.
 */

/** What is wrong with a field; the strings file turns it into a sentence. */
export type FieldError =
  | { code: "required" }
  | { code: "tooLong"; max: number }
  | { code: "tooShort"; min: number }
  | { code: "tooMany"; max: number }
  | { code: "range"; min: number; max: number }
  | { code: "color" | "url" | "temperature" | "maxTokens" | "email" | "origin" | "duplicate" | "keyFormat" | "model" | "appId" };

/** Like zod's .trim().max(max) with an optional .min(1). */
export function checkText(value: string, max: number, required = false): FieldError | null {
  const text = value.trim();
  if (required && !text) return { code: "required" };
  if (text.length > max) return { code: "tooLong", max };
  return null;
}

/** Like z.url({ protocol: /^https?$/ }).max(max). */
export function checkHttpUrl(value: string, max = 500): FieldError | null {
  const text = value.trim();
  if (text.length > max) return { code: "tooLong", max };
  try {
    const url = new URL(text);
    if ((url.protocol === "http:" || url.protocol === "https:") && url.hostname) return null;
  } catch {
    // not a URL at all
  }
  return { code: "url" };
}

export const isColor = (value: string) => /^#[0-9a-fA-F]{6}$/.test(value.trim());

/** zod's own email pattern (z.email(), which the sign-up schema uses), so both sides agree. */
const EMAIL = /^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$/;

/** Like the sign-up schema: a trimmed email of at most 254 characters. */
export function checkEmail(value: string): FieldError | null {
  const text = value.trim();
  if (!text) return { code: "required" };
  if (text.length > 254 || !EMAIL.test(text)) return { code: "email" };
  return null;
}

export function checkPassword(value: string, signUp: boolean): FieldError | null {
  if (!value) return { code: "required" };
  if (signUp && value.length < 8) return { code: "tooShort", min: 8 };
  if (value.length > 200) return { code: "tooLong", max: 200 };
  return null;
}

/** A site's own DashScope key, as the server accepts it: 8 to 200 printable ASCII characters. */
export function checkApiKey(value: string): FieldError | null {
  const text = value.trim();
  if (!text) return { code: "required" };
  if (text.length < 8 || text.length > 200 || !/^[\x21-\x7e]+$/.test(text)) return { code: "keyFormat" };
  return null;
}
