/** @jsxImportSource preact */
import { sourceHref, sourceName } from "../markdown/citations.js";
import type { CitedSource } from "../shared/contract.js";
import type { Strings } from "../strings.js";

/**
 * The sources an answer cited, under it: numbered as its markers, each title a link to its page
 * (http/https only) or plain text. An entry takes focus from a marker without a link
 * (markdown/citations.ts), hence tabIndex -1.
 */
export function SourceList({ sources, strings }: { sources: readonly CitedSource[]; strings: Strings }) {
  return (
    <div class="src">
      <p class="srh">{strings.sources}</p>
      <ol>
        {sources.map((s) => {
          const href = sourceHref(s);
          return (
            <li key={s.n} data-n={s.n} tabIndex={-1}>
              <span class="sn">{s.n}</span>{" "}
              {href ? (
                <a href={href} target="_blank" rel="noopener noreferrer">
                  {sourceName(s)}
                </a>
              ) : (
                <span>{sourceName(s)}</span>
              )}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
