import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO_EMAIL, DEMO_PASSWORD, demoMailLine, startDemo } from "../src/demo.js";
import { memoryLogger } from "../src/logger.js";
import { freePort } from "./support/ports.js";

describe("npm run demo's owner and mail", () => {
  it("the demo owner (whose published password the sign-up check would refuse) is made verified, and found again on the next run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bc-demo-owner-"));
    try {
      for (let run = 0; run < 2; run++) {
        const demo = await startDemo(
          { PORT: String(await freePort()), DEMO_SITE_PORT: String(await freePort()), DATA_DIR: dir, WIDGET_DIR: "dist/widget" },
          memoryLogger(),
        );
        try {
          const login = await fetch(`${demo.api}/api/auth/login`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ email: DEMO_EMAIL, password: DEMO_PASSWORD }),
          });
          expect(login.status).toBe(200);
          expect(((await login.json()) as { owner: unknown }).owner).toMatchObject({
            email: DEMO_EMAIL,
            emailVerified: true,
            verification: "verified",
          });
        } finally {
          await demo.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prints a logged mail (no SMTP_URL) as a readable line with its link", () => {
    const line = demoMailLine({
      msg: "mail",
      kind: "password-reset",
      to: "a@example.com",
      subject: "Reset your Bailian Chat password",
      link: "http://localhost:8787/dashboard/reset-password?token=abc",
    });
    expect(line).toContain("Mail (password-reset) to a@example.com: Reset your Bailian Chat password");
    expect(line).toContain("\n    http://localhost:8787/dashboard/reset-password?token=abc\n");
  });
});
