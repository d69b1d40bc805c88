/** @jsxImportSource preact */
import type { MediaHost, MediaUi } from "../shared/contract.js";
export function createMedia(_host: MediaHost): MediaUi {
  return { C: () => null, M: () => null };
}
