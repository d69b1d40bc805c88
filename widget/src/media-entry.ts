/**
 * The media chunk's entry: loaded by the chat chunk (widget/src/chat/mount.tsx) for sites with
 * pictures or voice on. Like the other chunks, it only hands its export over through the page state.
 */
import { createMedia } from "./media/media.js";
import { pageState } from "./shared/contract.js";

pageState().x = createMedia;
