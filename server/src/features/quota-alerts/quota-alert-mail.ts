import { composeMail, mailLanguage } from "../../mail/compose.js";
import type { Mail } from "../../mail/mailer.js";

export type QuotaKind = "messages" | "tokens";

export interface QuotaAlert {
  to: string;
  /** the owner's language; null: zh-CN */
  language: string | null;
  siteName: string;
  kind: QuotaKind;
  /** 80 or 100 (percent) */
  threshold: number;
  used: number;
  limit: number;
  /** "2026-11" */
  month: string;
  /** the site's usage page in the dashboard */
  link: string;
}

/** What the mail says, as paragraphs of plain text (the link is its own paragraph). */
function paragraphs(a: QuotaAlert): { subject: string; lines: string[]; linkLabel: string } {
  const en = a.language === "en";
  const n = (x: number) => x.toLocaleString(en ? "en-US" : "zh-CN");
  if (en) {
    const what = a.kind === "messages" ? "messages" : "tokens";
    return a.threshold >= 100
      ? {
          subject: `"${a.siteName}" has reached its monthly limit of ${what}`,
          lines: [
            `Your site "${a.siteName}" has reached its limit of ${n(a.limit)} ${what} for ${a.month} (UTC).`,
            "Its chat widget now tells visitors the assistant is unavailable, until the month ends or you raise the limit.",
          ],
          linkLabel: "See the site's usage and limits",
        }
      : {
          subject: `"${a.siteName}" has used ${a.threshold}% of its monthly ${what}`,
          lines: [
            `Your site "${a.siteName}" has used ${n(a.used)} of its ${n(a.limit)} ${what} for ${a.month} (UTC), ${a.threshold}% or more.`,
            "When it reaches the limit, its chat widget will tell visitors the assistant is unavailable until the month ends.",
          ],
          linkLabel: "See the site's usage and limits",
        };
  }
  const what = a.kind === "messages" ? "消息数" : "Token 用量";
  return a.threshold >= 100
    ? {
        subject: `「${a.siteName}」已达到本月${what}上限`,
        lines: [
          `你的站点「${a.siteName}」已达到 ${a.month}（UTC）的${what}上限 ${n(a.limit)}。`,
          "在本月结束或你提高上限之前，聊天窗口会告诉访客助手暂时无法使用。",
        ],
        linkLabel: "查看该站点的用量和限额",
      }
    : {
        subject: `「${a.siteName}」本月${what}已用 ${a.threshold}%`,
        lines: [
          `你的站点「${a.siteName}」在 ${a.month}（UTC）已使用 ${n(a.used)} / ${n(a.limit)} ${what}（已达 ${a.threshold}% 以上）。`,
          "达到上限后，在本月结束之前，聊天窗口会告诉访客助手暂时无法使用。",
        ],
        linkLabel: "查看该站点的用量和限额",
      };
}

/** A quota alert in the owner's language: plain text and simple HTML, no tracking. */
export function quotaAlertMail(a: QuotaAlert): Mail {
  const { subject, lines, linkLabel } = paragraphs(a);
  const mail = composeMail({ subject, paragraphs: lines, action: { label: linkLabel, link: a.link } }, mailLanguage(a.language));
  return { ...mail, to: a.to, kind: "quota-alert", link: a.link };
}
