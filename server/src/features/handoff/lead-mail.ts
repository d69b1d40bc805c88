import { composeMail, mailLanguage } from "../../mail/compose.js";
import type { Mail } from "../../mail/mailer.js";

export interface LeadNotice {
  to: string;
  /** the recipient's language; null: zh-CN */
  language: string | null;
  siteName: string;
  /** the email the visitor left */
  visitorEmail: string;
  /** the conversation's title (its first question), "" when it has none */
  title: string;
  /** the conversation in the dashboard */
  link: string;
}

function words(n: LeadNotice): { subject: string; lines: string[]; linkLabel: string } {
  const about = n.title ? n.title.slice(0, 80) : null;
  if (n.language === "en") {
    return {
      subject: `A visitor of "${n.siteName}" left their email for a person to answer`,
      lines: [
        `A visitor of "${n.siteName}" asked to talk to a person, and nobody could answer in time. They left this address: ${n.visitorEmail}`,
        ...(about ? [`Their conversation: "${about}"`] : []),
        "Read the conversation and write to them from your own mailbox.",
      ],
      linkLabel: "Open the conversation",
    };
  }
  return {
    subject: `「${n.siteName}」的访客留下了邮箱，等待人工回复`,
    lines: [
      `「${n.siteName}」的一位访客请求人工服务，但暂时无人接待。访客留下的邮箱：${n.visitorEmail}`,
      ...(about ? [`会话：「${about}」`] : []),
      "请查看会话，并通过你的邮箱回复访客。",
    ],
    linkLabel: "打开会话",
  };
}

/** The team is told a visitor left their email (each member in their language): plain text and simple HTML, no tracking. */
export function leadMail(n: LeadNotice): Mail {
  const { subject, lines, linkLabel } = words(n);
  const mail = composeMail({ subject, paragraphs: lines, action: { label: linkLabel, link: n.link } }, mailLanguage(n.language));
  return { ...mail, to: n.to, kind: "lead", link: n.link };
}
