import type { AppDeps } from "../../deps.js";
import { briefCache } from "../../brief-cache.js";
import { readConfigs, writeConfig } from "../../db/configs.repository.js";
import { type OperatorSettings, SignUpMode } from "./operator.schemas.js";

type Deps = Pick<AppDeps, "db" | "config">;
const SIGNUP_MODE = "operator:signup_mode";
const PLATFORM_BUDGET = "operator:platform_monthly_tokens";

/** The operator's settings as stored (undefined: not set, the environment's default applies). */
const stored = briefCache(async (deps: Deps) => {
  const values = new Map(await readConfigs(deps.db, "operator:"));
  const mode = SignUpMode.safeParse(values.get(SIGNUP_MODE));
  const budget = values.get(PLATFORM_BUDGET);
  return {
    signupMode: mode.success ? mode.data : undefined,
    // null stored: the operator chose "unlimited" over the environment's budget.
    platformMonthlyTokens: budget === null || (typeof budget === "number" && budget >= 1) ? budget : undefined,
  };
});

export async function operatorSettings(deps: Deps): Promise<OperatorSettings> {
  const s = await stored(deps).get();
  return {
    signupMode: s.signupMode ?? deps.config.signupMode,
    platformMonthlyTokens: s.platformMonthlyTokens === undefined ? deps.config.platformMonthlyTokens : s.platformMonthlyTokens,
  };
}

export async function saveOperatorSettings(
  deps: Deps & Pick<AppDeps, "now">,
  changes: Partial<OperatorSettings>,
): Promise<OperatorSettings> {
  if (changes.signupMode !== undefined) await writeConfig(deps.db, SIGNUP_MODE, changes.signupMode, deps.now());
  if (changes.platformMonthlyTokens !== undefined) await writeConfig(deps.db, PLATFORM_BUDGET, changes.platformMonthlyTokens, deps.now());
  stored(deps).forget();
  return operatorSettings(deps);
}

/** Tokens a month the platform key may answer: the operator's setting, else PLATFORM_MONTHLY_TOKENS, else null (unlimited). */
export async function platformBudget(deps: Deps): Promise<number | null> {
  return (await operatorSettings(deps)).platformMonthlyTokens;
}
