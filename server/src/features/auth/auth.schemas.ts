import { z } from "zod";
import { MAIL_LANGUAGES } from "../../mail/compose.js";

/** An owner's email, as stored: trimmed, lower case. */
export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email("Enter a valid email address."))
  .transform((e) => e.toLowerCase());

export const Credentials = z.object({
  email: Email,
  password: z.string().min(8, "Use at least 8 characters.").max(200),
});
export type Credentials = z.infer<typeof Credentials>;

/**
 * Sign-up: the credentials; the dashboard's language (the owner's mail is written in it); the
 * invitation's token when the server signs up by invitation.
 */
export const SignUpBody = Credentials.extend({
  language: z.enum(MAIL_LANGUAGES).optional(),
  invitation: z.string().trim().min(1).max(200).optional(),
});
export type SignUpBody = z.infer<typeof SignUpBody>;

export const Owner = z.object({
  id: z.string(),
  email: z.string(),
  /** what visitors see on the account's replies: its own choice, else the email's local part */
  displayName: z.string(),
  createdAt: z.string(),
  /** the language of the owner's mail; null: zh-CN */
  language: z.enum(MAIL_LANGUAGES).nullable(),
  emailVerified: z.boolean(),
  /** pending: a link was mailed and not yet followed; not_required: the server sends no mail (no SMTP_URL) */
  verification: z.enum(["verified", "pending", "not_required"]),
});
export type Owner = z.infer<typeof Owner>;

export const OwnerResponse = z.object({ owner: Owner });

/** What the dashboard's install page puts in the snippet: where pages load widget.js, and the API it talks to. */
export const InstallInfo = z.object({
  /** WIDGET_URL (a CDN), else this server's own /widget.js */
  widgetUrl: z.string(),
  /** PUBLIC_URL: the tag's data-api-base when widget.js comes from another origin */
  apiBase: z.string(),
});
export type InstallInfo = z.infer<typeof InstallInfo>;

export const InstallResponse = z.object({ install: InstallInfo });
