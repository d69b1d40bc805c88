/** @jsxImportSource preact */
import type { Attachment } from "../api/types.js";
import { formatNumber, useStrings } from "../i18n/lang.js";

/** The largest side of a visitor's picture in the transcript, and of a drawing (CSS caps them too). */
const THUMB_PX = 160;
const DRAWING_PX = 320;

/**
 * A message's pictures (the visitor's) and drawings (the bot's), as the visitor saw them. Each
 * opens full size in a new tab; the url is a signed link of a few minutes (docs/media.md), so a
 * transcript left open long shows broken pictures until it is opened again. Recordings are not
 * attached to messages.
 */
export function MessageAttachments({ attachments }: { attachments: readonly Attachment[] | undefined }) {
  const t = useStrings().transcript;
  // A message in another shape (an older server, a live event without them) has none.
  const shown = (attachments ?? []).filter((a) => a.kind !== "audio");
  if (!shown.length) return null;
  let pictures = 0;
  return (
    <ul class="attachments" aria-label={t.attachments}>
      {shown.map((a) => (
        <li key={a.id} class={`attachment attachment--${a.kind}`}>
          {a.kind === "generated" ? <Drawing media={a} /> : <Picture media={a} n={++pictures} />}
        </li>
      ))}
    </ul>
  );
}

/** width and height for the <img> so the page does not jump as pictures load: the picture's, scaled into a box. */
function boxed(media: Attachment, max: number): { width?: number; height?: number } {
  if (!media.width || !media.height) return {};
  const scale = Math.min(1, max / Math.max(media.width, media.height));
  return { width: Math.round(media.width * scale), height: Math.round(media.height * scale) };
}

function Picture({ media, n }: { media: Attachment; n: number }) {
  const t = useStrings().transcript;
  const size = media.width && media.height ? t.pictureSize(formatNumber(media.width), formatNumber(media.height)) : null;
  if (!media.url) return <p class="attachment__state muted small">{t.pictureGone}</p>;
  return (
    <a href={media.url} target="_blank" rel="noopener noreferrer" class="attachment__link" title={size ?? undefined}>
      <img src={media.url} alt={t.pictureAlt(n)} class="attachment__thumb" loading="lazy" {...boxed(media, THUMB_PX)} />
      <span class="visually-hidden"> {t.opensNewTab}</span>
    </a>
  );
}

function Drawing({ media }: { media: Attachment }) {
  const t = useStrings().transcript;
  const caption = media.prompt ? <figcaption class="attachment__caption small">{media.prompt}</figcaption> : null;
  if (media.status === "ready" && media.url) {
    return (
      <figure class="attachment__figure">
        <a href={media.url} target="_blank" rel="noopener noreferrer" class="attachment__link">
          <img src={media.url} alt={t.drawingAlt} class="attachment__drawing" loading="lazy" {...boxed(media, DRAWING_PX)} />
          <span class="visually-hidden"> {t.opensNewTab}</span>
        </a>
        {caption}
      </figure>
    );
  }
  // Pending: the bot is still drawing it. Ready without a link: its file is gone (kept a limited time).
  const [state, said] =
    media.status === "pending" ? ["pending", t.drawing] : media.status === "failed" ? ["failed", t.drawingFailed] : ["gone", t.pictureGone];
  return (
    <figure class="attachment__figure">
      <p class={`attachment__state attachment__state--${state}`}>{said}</p>
      {caption}
    </figure>
  );
}
