import { z } from "zod";

export const Credentials = z.object({
  email: z
    .string()
    .trim()
    .max(254)
    .pipe(z.email("Enter a valid email address."))
    .transform((e) => e.toLowerCase()),
  password: z.string().min(8, "Use at least 8 characters.").max(200),
});
export type Credentials = z.infer<typeof Credentials>;

/** Sign-up: the credentials, and the invitation's token when the server signs up by invitation. */
export const SignUpBody = Credentials.extend({ invitation: z.string().trim().min(1).max(200).optional() });
export type SignUpBody = z.infer<typeof SignUpBody>;

export const Owner = z.object({
  id: z.string(),
  email: z.string(),
  createdAt: z.string(),
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
