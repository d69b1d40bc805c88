import { type MailContent, type MailLanguage, composeMail } from "../../mail/compose.js";
import type { Mail } from "../../mail/mailer.js";

/** The mails of an account, in the owner's language. Plain strings: composeMail escapes them for HTML. */
const TEXTS = {
  "verify-email": {
    "zh-CN": (link: string): MailContent => ({
      subject: "请确认您的 Bailian Chat 邮箱",
      paragraphs: [
        "您好！",
        "请点击下面的链接确认这是您的邮箱。确认之后，您的网站助手才会回答访客。",
        "链接 24 小时内有效，只能使用一次。",
      ],
      action: { label: "确认邮箱", link },
      footer: "如果您没有注册 Bailian Chat，请忽略这封邮件。",
    }),
    en: (link: string): MailContent => ({
      subject: "Confirm your Bailian Chat email",
      paragraphs: [
        "Hello,",
        "Please follow the link below to confirm this is your email. Your sites' assistants answer visitors once it is confirmed.",
        "The link works once, for 24 hours.",
      ],
      action: { label: "Confirm email", link },
      footer: "If you did not sign up for Bailian Chat, ignore this mail.",
    }),
  },
  "password-reset": {
    "zh-CN": (link: string): MailContent => ({
      subject: "重置您的 Bailian Chat 密码",
      paragraphs: [
        "您好！",
        "有人（希望是您）请求重置这个账户的密码。请点击下面的链接设置新密码，其他设备上的登录都会退出。",
        "链接 1 小时内有效，只能使用一次。",
      ],
      action: { label: "设置新密码", link },
      footer: "如果不是您本人操作，请忽略这封邮件，您的密码不会改变。",
    }),
    en: (link: string): MailContent => ({
      subject: "Reset your Bailian Chat password",
      paragraphs: [
        "Hello,",
        "Someone (we hope you) asked to reset this account's password. Follow the link below to choose a new one; every other signed-in device is signed out.",
        "The link works once, for one hour.",
      ],
      action: { label: "Choose a new password", link },
      footer: "If this was not you, ignore this mail: your password stays as it is.",
    }),
  },
} as const;

export type AccountMailKind = keyof typeof TEXTS;

export function accountMail(kind: AccountMailKind, lang: MailLanguage, to: string, link: string): Mail {
  return { to, kind, link, ...composeMail(TEXTS[kind][lang](link), lang) };
}
