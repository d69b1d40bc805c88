import type { Mail } from "../../mail/mailer.js";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The invitation, in both languages (the invitee has no account, so no language yet): plain text
 * plus simple HTML, the link and nothing else, no tracking.
 */
export function invitationMail(to: string, link: string, days: number): Mail {
  const zh = [`你受邀注册 Bailian Chat。`, `打开下面的链接创建账号（${days} 天内有效，只能使用一次）：`];
  const en = [`You are invited to sign up for Bailian Chat.`, `Open this link to create your account (valid for ${days} days, once):`];
  const text = [...zh, link, "", ...en, link, ""].join("\n");
  const block = (lines: string[]) =>
    `<p>${escapeHtml(lines[0])}</p><p>${escapeHtml(lines[1])}<br><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`;
  const html = `<!doctype html><html><body>${block(zh)}<hr>${block(en)}</body></html>`;
  return { to, subject: "Bailian Chat 邀请 / Invitation", text, html, kind: "invitation", link };
}
