import type { AppDeps } from "../../deps.js";

/** What a team member is called where visitors see them: their own choice, else their email's local part. */
export const displayNameFrom = (row: { email: string; display_name: string | null }): string =>
  row.display_name?.trim() || row.email.split("@")[0];

/** The display name of an account (for a reply's author), or null when the account is gone. */
export async function displayNameOf(deps: Pick<AppDeps, "db">, accountId: string): Promise<string | null> {
  const row = await deps.db.selectFrom("owners").select(["email", "display_name"]).where("id", "=", accountId).executeTakeFirst();
  return row ? displayNameFrom(row) : null;
}
