/**
 * The handoff chunk's entry: loaded by the chat chunk (widget/src/handoff/load-handoff.ts) for
 * sites that offer a person. Like the chat chunk, it only hands its export over through the page state.
 */
import { createHandoff } from "./handoff/handoff.js";
import { pageState } from "./shared/contract.js";

pageState().h = createHandoff;
