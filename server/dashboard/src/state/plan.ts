import { signal } from "@preact/signals";
import type { MyPlan } from "../api/types.js";
import { api } from "./session.js";

/** The signed-in owner's plan and month (GET /api/me/plan); null until read, or when it could not be. */
export const myPlan = signal<MyPlan | null>(null);

/** Read after sign-in and after a change that moves the numbers (a site created or deleted). */
export async function loadMyPlan(): Promise<void> {
  try {
    myPlan.value = await api().myPlan();
  } catch {
    // The plan card is a help, not a gate: the server refuses what the plan does not allow.
    myPlan.value = null;
  }
}
