/** The languages owners' mail is written in (owners.language; null: zh-CN, the product's first language). */
export const MAIL_LANGUAGES = ["zh-CN", "en"] as const;
export type MailLanguage = (typeof MAIL_LANGUAGES)[number];

export function mailLanguage(stored: string | null | undefined): MailLanguage {
  return stored === "en" ? "en" : "zh-CN";
}

/** What one mail says: every string is plain text (escaped here for the HTML part). */
export interface MailContent {
  subject: string;
  paragraphs: string[];
  /** the one link, as a button-like line and again in full for clients that hide links */
  action?: { label: string; link: string };
  /** a last, smaller line: why the mail came, what to do if it was not wanted */
  footer?: string;
}

const escapeHtml = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");

/**
 * Plain text plus simple HTML from the same words. No images, no remote styles, no link but the
 * action's: nothing that tells anyone the mail was opened.
 */
export function composeMail(content: MailContent, lang: MailLanguage): { subject: string; text: string; html: string } {
  const text = [
    ...content.paragraphs,
    ...(content.action ? [`${content.action.label}:\n${content.action.link}`] : []),
    ...(content.footer ? ["—", content.footer] : []),
  ].join("\n\n");
  const p = (s: string, style = "") => `<p${style ? ` style="${style}"` : ""}>${escapeHtml(s)}</p>`;
  const action = content.action
    ? [
        `<p><a href="${escapeHtml(content.action.link)}" style="display:inline-block;padding:10px 16px;background:#3d5a40;color:#ffffff;text-decoration:none;border-radius:6px">${escapeHtml(content.action.label)}</a></p>`,
        p(content.action.link, "font-size:12px;color:#555555;word-break:break-all"),
      ]
    : [];
  const html = [
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(content.subject)}</title></head>`,
    `<body style="font-family:sans-serif;line-height:1.5;color:#222222;max-width:560px">`,
    ...content.paragraphs.map((s) => p(s)),
    ...action,
    ...(content.footer ? [p(content.footer, "font-size:12px;color:#777777")] : []),
    `</body></html>`,
  ].join("\n");
  return { subject: content.subject, text, html };
}
