/**
 * widget.js: the only script a page includes (`<script src=".../widget.js" data-site-key="KEY" async>`).
 * Kept under 2.25 KB gzip: it draws the launcher with plain DOM and loads the chat chunk on intent.
 */
import { boot } from "./loader/boot.js";

// A classic script (async or not, also when a tag manager inserts it) always has currentScript.
boot(document.currentScript as HTMLScriptElement);
