import { describe, expect, it } from "vitest";
import { isJsonMediaType } from "../src/http/body.js";

/**
 * Which Content-Type values are read as JSON (issue 11, hole 10). A page may send `text/plain`,
 * `multipart/form-data` and `application/x-www-form-urlencoded` — with any parameters — across
 * origins without a preflight, so none of those may ever be parsed, whatever their parameters
 * say. validation.test.ts sends each of these to every route with a body and sees 415.
 */
describe("isJsonMediaType: by the media type before any parameter", () => {
  it("application/json and application/<anything>+json, in any letter case, with parameters", () => {
    for (const type of [
      "application/json",
      "application/json; charset=utf-8",
      "Application/JSON;charset=UTF-8",
      " application/json ",
      "application/problem+json",
      "application/vnd.api+json; ext=x",
    ]) {
      expect(isJsonMediaType(type), type).toBe(true);
    }
  });

  it("never a type a page can send without a preflight, whatever its parameters or a second header line say", () => {
    for (const type of [
      "text/plain; x=+json",
      "multipart/form-data; boundary=+json",
      "application/x-www-form-urlencoded; x=application/json",
      'text/plain; x="; application/json"',
      "text/plain;application/json",
      // Two Content-Type lines arrive joined by a comma.
      "text/plain, application/json",
      "application/json, text/plain",
      "text/plain+json",
      "text/x+json",
      "application/+json",
      "application/json-seq",
      "application /json",
      "",
    ]) {
      expect(isJsonMediaType(type), type).toBe(false);
    }
  });
});
