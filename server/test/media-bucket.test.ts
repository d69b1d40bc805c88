import { describe, expect, it } from "vitest";
import { type CorsRule, type LifecycleRule, mediaPrefix, planBucket } from "../../scripts/setup-media-bucket.js";

describe("the media bucket's rules (scripts/setup-media-bucket.ts)", () => {
  const theirs: LifecycleRule = { id: "logs-90d", prefix: "logs/", status: "Enabled", expiration: { days: 90 } };
  const widgetCors: CorsRule = { allowedOrigin: "*", allowedMethod: ["GET", "HEAD"] };

  it("puts media under FILE_STORAGE_URL's prefix, where the file store keeps it", () => {
    expect(mediaPrefix("")).toBe("media/");
    expect(mediaPrefix("/bailian-chat-prod/")).toBe("bailian-chat-prod/media/");
  });

  it("adds a rule expiring the media prefix and keeps the bucket's other rules (OSS replaces the whole list)", () => {
    const plan = planBucket({ lifecycle: [theirs], cors: [widgetCors] }, "bc/media/", 30);
    expect(plan.lifecycle).toEqual([
      theirs,
      {
        id: "bailian-chat-media-bc-media",
        prefix: "bc/media/",
        status: "Enabled",
        expiration: { days: 30 },
        abortMultipartUpload: { days: 1 },
      },
    ]);
    // The widget's GET-only rule is not enough for uploads: one more rule, the old one kept.
    expect(plan.cors).toEqual([
      widgetCors,
      {
        allowedOrigin: "*",
        allowedMethod: ["POST", "GET", "HEAD"],
        allowedHeader: "*",
        exposeHeader: ["ETag", "x-oss-request-id"],
        maxAgeSeconds: 600,
      },
    ]);
  });

  it("changes only this prefix's rule when the retention changes, and puts nothing when all is right", () => {
    const first = planBucket({ lifecycle: [theirs], cors: [] }, "media/", 30);
    const changed = planBucket({ lifecycle: first.lifecycle!, cors: first.cors! }, "media/", 7);
    expect(changed.lifecycle!.map((r) => [r.prefix, r.expiration?.days])).toEqual([
      ["logs/", 90],
      ["media/", 7],
    ]);
    expect(changed.cors).toBeNull();
    const same = planBucket({ lifecycle: changed.lifecycle!, cors: first.cors! }, "media/", 7);
    expect(same).toMatchObject({ lifecycle: null, cors: null });
  });

  it("turns a disabled rule for the prefix back on, and refuses to exceed OSS's 10 CORS rules", () => {
    const off: LifecycleRule = { id: "x", prefix: "media/", status: "Disabled", expiration: { days: 30 } };
    expect(planBucket({ lifecycle: [off], cors: [] }, "media/", 30).lifecycle).toEqual([{ ...off, status: "Enabled" }]);
    const ten = Array.from({ length: 10 }, () => widgetCors);
    expect(() => planBucket({ lifecycle: [], cors: ten }, "media/", 30)).toThrow(/10 CORS rules/);
  });
});
