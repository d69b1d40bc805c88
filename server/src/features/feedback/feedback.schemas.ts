import { z } from "zod";
import { IdParam } from "../../http/route.js";

/** The longest comment a visitor may add to a rating (messages.rating_comment is varchar(500)). */
export const MAX_FEEDBACK_COMMENT_CHARS = 500;

export const RatingSchema = z.enum(["up", "down"]);

export const FeedbackParams = z.object({ messageId: IdParam });

export const FeedbackBody = z.object({
  rating: RatingSchema,
  // An empty comment is no comment.
  comment: z.string().trim().max(MAX_FEEDBACK_COMMENT_CHARS, `A comment has at most ${MAX_FEEDBACK_COMMENT_CHARS} characters.`).optional(),
});

/** A rating as the visitor and the owner see it; null where an answer is not rated. */
export const FeedbackSchema = z.object({ rating: RatingSchema, comment: z.string().nullable() });

export const FeedbackResponse = z.object({ feedback: FeedbackSchema });
