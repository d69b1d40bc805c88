/**
 * The chat chunk's entry: loaded by widget.js (a <script> with the page's nonce) on the
 * visitor's first interaction or when the browser is idle. It only hands its mount function to
 * the loader through the page state; the loader mounts each widget of the page with it.
 */
import { mount } from "./chat/mount.js";
import { pageState } from "./shared/contract.js";

pageState().m = mount;
