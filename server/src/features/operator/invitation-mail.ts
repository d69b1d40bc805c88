import { composeMail } from "../../mail/compose.js";
import type { Mail } from "../../mail/mailer.js";

/**
 * The invitation, in both languages (the invitee has no account, so no language yet): plain text
 * plus simple HTML, the link and nothing else, no tracking.
 */
export function invitationMail(to: string, link: string, days: number): Mail {
  const mail = composeMail(
    {
      subject: "Bailian Chat 邀请 / Invitation",
      paragraphs: [
        `你受邀注册 Bailian Chat。打开下面的链接创建账号（${days} 天内有效，只能使用一次）。`,
        `You are invited to sign up for Bailian Chat. Open the link below to create your account (valid for ${days} days, once).`,
      ],
      action: { label: "注册 / Sign up", link },
    },
    "zh-CN",
  );
  return { ...mail, to, kind: "invitation", link };
}
