/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import type { InstallInfo } from "../api/types.js";
import { CopyButton } from "../components/copy-button.js";
import { Field, controlProps, fieldMsg } from "../components/field.js";
import { ErrorState, Loading, Notice } from "../components/states.js";
import { usePageTitle } from "../components/use-page-title.js";
import { useResource } from "../components/use-resource.js";
import { useSave } from "../components/use-save.js";
import { type Msg, useStrings } from "../i18n/lang.js";
import { normaliseOrigin } from "../../../src/shared/origins.js";
import { afterLoadSnippet, cspSources, cspText, needsApiBase, originOf, scriptTag } from "../install/snippet.js";
import { api, installInfo } from "../state/session.js";
import type { SitePageProps } from "./site-page.js";

const MAX_ORIGINS = 20;

/** What the owner needs to put the bot on their pages: the tag, the origins it may run on, the CSP. */
export function InstallPage(props: SitePageProps) {
  // Where widget.js is served (this server or a CDN) is the server's configuration, not this page's origin.
  const install = useResource(installInfo, []);
  if (!install.data) {
    return <section class="page">{install.error ? <ErrorState error={install.error} onRetry={install.reload} /> : <Loading />}</section>;
  }
  return <InstallSections {...props} install={install.data} />;
}

function InstallSections({ site, onSiteChange, install }: SitePageProps & { install: InstallInfo }) {
  const s = useStrings();
  const heading = usePageTitle(`${s.install.title} · ${site.name}`);
  const tag = scriptTag(install, site.siteKey);
  const afterLoad = afterLoadSnippet(install, site.siteKey);
  const csp = cspSources(install, site.bot.avatarUrl);

  return (
    <div class="page stack">
      <h1 ref={heading} tabIndex={-1}>
        {s.install.title}
      </h1>
      <section class="card" aria-labelledby="snippet-title">
        <h2 id="snippet-title">{s.install.snippetTitle}</h2>
        <p class="muted">{s.install.snippetHint}</p>
        {/* Focusable to scroll a long line with the keys; a group named by the heading (a <pre> may not take aria-label). */}
        <pre class="code" tabIndex={0} role="group" aria-labelledby="snippet-title">
          <code id="snippet">{tag}</code>
        </pre>
        {needsApiBase(install) && <p class="muted small">{s.install.snippetCdn(originOf(install.widgetUrl), install.apiBase)}</p>}
        <CopyButton text={tag} label={s.install.copySnippet} />
        {/* The second choice, for the few sites that measure their load event. */}
        <h3 id="after-load-title">{s.install.afterLoadTitle}</h3>
        <p class="muted">{s.install.afterLoadHint}</p>
        <pre class="code" tabIndex={0} role="group" aria-labelledby="after-load-title">
          <code id="snippet-after-load">{afterLoad}</code>
        </pre>
        <CopyButton text={afterLoad} label={s.install.copyAfterLoad} />
      </section>
      <OriginsEditor {...{ site, onSiteChange }} />
      <section class="card" aria-labelledby="csp-title">
        <h2 id="csp-title">{s.install.cspTitle}</h2>
        <p class="muted">{s.install.cspHint}</p>
        <pre class="code" tabIndex={0} role="group" aria-labelledby="csp-title">
          <code id="csp">{cspText(csp)}</code>
        </pre>
        {site.bot.avatarUrl && <p class="muted">{s.install.cspAvatar}</p>}
        <CopyButton text={cspText(csp)} label={s.install.copyCsp} />
      </section>
    </div>
  );
}

function OriginsEditor({ site, onSiteChange }: SitePageProps) {
  const s = useStrings();
  const [input, setInput] = useState("");
  const [error, setError] = useState<Msg | null>(null);
  const save = useSave();
  const busy = save.busy;
  const origins = site.allowedOrigins;

  const saveOrigins = async (next: string[]) =>
    (
      await save.run(() => api().patchSite(site.id, { allowedOrigins: next }), {
        saved: (x) => x.install.originsSaved,
        onSaved: ({ site: saved }) => onSiteChange(saved),
      })
    ).ok;

  const onAdd = async (event: Event) => {
    event.preventDefault();
    const origin = normaliseOrigin(input);
    const problem: Msg | null = !input.trim()
      ? fieldMsg({ code: "required" })
      : !origin
        ? fieldMsg({ code: "origin" })
        : origins.includes(origin)
          ? fieldMsg({ code: "duplicate" })
          : origins.length >= MAX_ORIGINS
            ? (x) => x.install.tooManyOrigins
            : null;
    setError(() => problem);
    if (problem || !origin) return document.getElementById("new-origin")?.focus();
    if (await saveOrigins([...origins, origin])) setInput("");
  };

  const onRemove = async (origin: string, index: number) => {
    if (await saveOrigins(origins.filter((o) => o !== origin))) {
      // Focus stays in the list: on the next origin's button, else the input.
      setTimeout(
        () =>
          (
            document.querySelectorAll<HTMLElement>(".origin-list button")[Math.max(0, index - 1)] ?? document.getElementById("new-origin")
          )?.focus(),
        0,
      );
    }
  };

  return (
    <section class="card" aria-labelledby="origins-title">
      <h2 id="origins-title">{s.install.originsTitle}</h2>
      <p class="muted">{s.install.originsHint}</p>
      {origins.length ? (
        <ul class="origin-list">
          {origins.map((origin, i) => (
            <li key={origin}>
              <code>{origin}</code>
              <button type="button" class="button button--quiet" disabled={busy} onClick={() => onRemove(origin, i)}>
                {/* The name is the words, not the sign: what is read out and what voice control matches. */}
                <span aria-hidden="true">✕</span>
                <span class="visually-hidden">{s.install.removeOrigin(origin)}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="notice notice--warn">{s.install.originsEmpty}</p>
      )}
      <form class="inline-form" onSubmit={onAdd} noValidate>
        <Field id="new-origin" label={s.install.origin} error={error?.(s)}>
          <input
            {...controlProps("new-origin", null, error?.(s))}
            type="url"
            inputMode="url"
            placeholder={s.install.originPlaceholder}
            value={input}
            spellcheck={false}
            onInput={(e) => (setInput(e.currentTarget.value), setError(null))}
          />
        </Field>
        <button type="submit" class="button button--primary" disabled={busy}>
          {s.install.addOrigin}
        </button>
      </form>
      <Notice text={save.notice?.text(s) ?? null} kind={save.notice?.kind} />
      <p class="muted small">{s.install.originsOwn(window.location.origin)}</p>
      <p class="muted small" id="origins-scripts">
        {s.originNote.scripts}
      </p>
    </section>
  );
}
