import { z } from "zod";
import { MAIL_LANGUAGES } from "../../mail/compose.js";
import { Email } from "../auth/auth.schemas.js";

/** A mailed link's token: 256 random bits, base64url. */
const Token = z
  .string()
  .min(20)
  .max(100)
  .regex(/^[A-Za-z0-9_-]+$/, "This link is malformed.");
const NewPassword = z.string().min(8, "Use at least 8 characters.").max(200);

export const VerifyEmailBody = z.strictObject({ token: Token });
export const PasswordResetBody = z.strictObject({ email: Email });
export const PasswordResetConfirmBody = z.strictObject({ token: Token, password: NewPassword });
export const ChangePasswordBody = z.strictObject({ currentPassword: z.string().min(1).max(200), newPassword: NewPassword });
export const AccountPatchBody = z
  .strictObject({
    language: z.enum(MAIL_LANGUAGES).optional(),
    /** the name visitors see on the account's replies */
    displayName: z.string().trim().min(1, "Enter a name.").max(60, "Use at most 60 characters.").optional(),
  })
  .refine((b) => b.language !== undefined || b.displayName !== undefined, "Send language or displayName.");

export const Verification = z.enum(["verified", "pending", "not_required"]);
export const VerificationResponse = z.object({
  verification: Verification,
  /** whether a link was mailed now */
  sent: z.boolean(),
});
