import { type MailContent, type MailLanguage, composeMail } from "../../mail/compose.js";
import type { Mail } from "../../mail/mailer.js";

export interface TeamInvitationFacts {
  siteName: string;
  inviterEmail: string;
  role: "admin" | "agent";
  link: string;
  days: number;
}

/** Plain strings: composeMail escapes them (the site's name is the owner's text) for HTML. */
const TEXTS: Record<MailLanguage, (f: TeamInvitationFacts) => MailContent> = {
  "zh-CN": (f) => ({
    subject: `邀请您加入「${f.siteName}」的团队`,
    paragraphs: [
      "您好！",
      `${f.inviterEmail} 邀请您以${f.role === "admin" ? "管理员（可查看对话、修改设置和知识库）" : "客服（可查看和回复对话）"}的身份加入 Bailian Chat 网站「${f.siteName}」的团队。`,
      `请用这个邮箱登录或注册后打开下面的链接接受邀请（${f.days} 天内有效，只能使用一次）。`,
    ],
    action: { label: "接受邀请", link: f.link },
    footer: "如果您不认识邀请人，请忽略这封邮件。",
  }),
  en: (f) => ({
    subject: `Join the team of "${f.siteName}"`,
    paragraphs: [
      "Hello,",
      `${f.inviterEmail} invites you to the team of the Bailian Chat site "${f.siteName}" as ${f.role === "admin" ? "an admin (conversations, settings and knowledge)" : "an agent (read and answer conversations)"}.`,
      `Sign in or sign up with this email address, then open the link below to accept (valid for ${f.days} days, once).`,
    ],
    action: { label: "Accept the invitation", link: f.link },
    footer: "If you do not know who invited you, ignore this mail.",
  }),
};

export function teamInvitationMail(lang: MailLanguage, to: string, facts: TeamInvitationFacts): Mail {
  return { to, kind: "team-invitation", link: facts.link, ...composeMail(TEXTS[lang](facts), lang) };
}
