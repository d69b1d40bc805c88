import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Frame, Page } from "playwright-core";

/** axe-core's browser build, read once; evaluated in the page, so no script tag the page's CSP could refuse. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeNode {
  target: unknown[];
  failureSummary?: string;
}
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: AxeNode[];
}

/**
 * Runs axe-core on the whole document of `target` (open shadow roots included: the widget lives in
 * one) with every rule it has on by default, and answers the violations. Frames are left to their
 * own run: the dashboard's preview is checked on its own page (preview.html).
 */
export async function axeViolations(target: Page | Frame): Promise<AxeViolation[]> {
  // Colours are measured as drawn: mid-way through a fade-in, text is paler than it will be.
  // The document's own list leaves out shadow trees (the widget's panel fades in inside one).
  await target.evaluate(() => {
    const roots: Array<Document | ShadowRoot> = [document];
    for (const el of document.querySelectorAll("*")) if (el.shadowRoot) roots.push(el.shadowRoot);
    return Promise.all(
      roots
        .flatMap((root) => root.getAnimations())
        .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    );
  });
  const loaded = await target.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === "object");
  // `evaluate` of the source runs under the page's CSP without being a script the policy can refuse.
  if (!loaded) await target.evaluate(AXE_SOURCE);
  return target.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { iframes: false, resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

/** The violations as lines a person can act on: rule, impact, what it asks, and each element (as a CSS path). */
export function formatViolations(label: string, violations: AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${label}: ${v.id} (${v.impact ?? "?"}): ${v.help} — ${v.nodes.length} node(s)\n` +
        v.nodes
          .map((n) => `    ${JSON.stringify(n.target)}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, "\n      ")}` : ""}`)
          .join("\n"),
    )
    .join("\n");
}

/** Fails (with the readable list) when axe-core finds anything on `target`'s document. */
export async function expectNoAxeViolations(target: Page | Frame, label: string): Promise<void> {
  const violations = await axeViolations(target);
  if (violations.length > 0) throw new Error(`axe-core found ${violations.length} violation(s)\n${formatViolations(label, violations)}`);
}
