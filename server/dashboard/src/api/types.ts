/**
 * The owner API's shapes, taken from the server's zod schemas as types only: the contract is
 * the server's, and zod never ships to the browser.
 */
import type { z } from "zod";
import type { Credentials, InstallInfo, Owner, SignUpBody } from "../../../src/features/auth/auth.schemas.js";
import type {
  ConversationDetail,
  ConversationPage,
  ConversationQuery,
  OwnerConversation,
  OwnerMessage,
} from "../../../src/features/conversations/conversations.schemas.js";
import type { BotSettings, Site, SiteCreate, SiteLimits, SitePatch } from "../../../src/features/sites/sites.schemas.js";
import type {
  KnowledgeCreate,
  KnowledgeSearchResponse,
  KnowledgeSource as KnowledgeSourceSchema,
} from "../../../src/features/knowledge/knowledge.schemas.js";
import type { Member as MemberSchema, SiteInvitation as SiteInvitationSchema } from "../../../src/features/members/members.schemas.js";
import type { UsageDay, UsageResponse } from "../../../src/features/usage/usage.schemas.js";
import type { DeliverySchema, WebhookCreate, WebhookPatch, WebhookSchema } from "../../../src/features/webhooks/webhooks.schemas.js";
import type { HandoffSettings as HandoffSettingsSchema } from "../../../src/features/handoff/handoff.settings.js";
import type { PublicConfig } from "../../../src/features/widget/widget.schemas.js";
import type { MyPlanResponse, Plan as PlanSchema, PlanPatch } from "../../../src/features/plans/plans.schemas.js";
import type {
  Invitation as InvitationSchema,
  InvitationCreated,
  OperatorSettings as OperatorSettingsSchema,
  OverviewResponse,
  OwnersResponse,
  SitesResponse,
} from "../../../src/features/operator/operator.schemas.js";

export type { BotSettings, InstallInfo, Owner, PublicConfig, Site, UsageResponse };
export type CredentialsInput = z.input<typeof Credentials>;
export type SignUpInput = z.input<typeof SignUpBody>;
export type SiteCreateInput = z.input<typeof SiteCreate>;
export type SitePatchInput = z.input<typeof SitePatch>;
export type Conversation = z.infer<typeof OwnerConversation>;
export type Message = z.infer<typeof OwnerMessage>;
export type MessageStatus = Message["status"];
/** A message's picture or drawing (docs/media.md "MediaView"); `url` is signed and short-lived, null while pending or failed. */
export type Attachment = Message["attachments"][number];
export type ConversationPageData = z.infer<typeof ConversationPage>;
export type ConversationDetailData = z.infer<typeof ConversationDetail>;
export type ConversationFilters = Pick<z.input<typeof ConversationQuery>, "q" | "from" | "to" | "cursor" | "limit" | "rating" | "status">;
export type UsageDayData = z.infer<typeof UsageDay>;
export type SiteLimitsData = z.infer<typeof SiteLimits>;
/** A stored setting today's schema refuses, read as its default: its dotted path and the schema's sentence. */
export type ResetField = Site["resetFields"][number];
export type QuotaData = UsageResponse["quota"];
export type Lang = BotSettings["language"];
export type Model = BotSettings["model"];

export type MyPlan = z.infer<typeof MyPlanResponse>;
export type Plan = z.infer<typeof PlanSchema>;
export type OperatorOwners = z.infer<typeof OwnersResponse>;
export type OperatorSites = z.infer<typeof SitesResponse>;
export type OperatorOverview = z.infer<typeof OverviewResponse>;
export type OperatorSettings = z.infer<typeof OperatorSettingsSchema>;
export type Invitation = z.infer<typeof InvitationSchema>;
export type InvitationCreated = z.infer<typeof InvitationCreated>;
export type PlanPatchInput = z.input<typeof PlanPatch>;
export type KnowledgeSource = z.infer<typeof KnowledgeSourceSchema>;
export type Member = z.infer<typeof MemberSchema>;
export type SiteInvitation = z.infer<typeof SiteInvitationSchema>;
export type SiteRole = Site["role"];
export type MemberRole = SiteInvitation["role"];
export type Webhook = z.infer<typeof WebhookSchema>;
export type WebhookEventType = Webhook["events"][number];
export type WebhookCreateInput = z.input<typeof WebhookCreate>;
export type WebhookPatchInput = z.input<typeof WebhookPatch>;
export type WebhookDelivery = z.infer<typeof DeliverySchema>;
export type KnowledgeStatus = KnowledgeSource["status"];
export type KnowledgeKind = KnowledgeSource["kind"];
/** a text, FAQ or URL source to add (files go as multipart) */
export type KnowledgeCreateInput = z.input<typeof KnowledgeCreate>;
export type KnowledgeResult = z.infer<typeof KnowledgeSearchResponse>["results"][number];
/** POST /bailian-app/test: one question to the site's Bailian application */
export interface BailianAppTestResult {
  answer: string;
  sources: Array<{ n: number; title: string; url: string | null; sourceId: string | null }>;
}

// People in the loop (issue 13, docs/people.md).

/** bot → waiting (the visitor asked for a person) → human (a member took it) → closed, or back to bot */
export type ConversationStatus = Conversation["status"];
/** `PATCH /api/sites/:siteId { handoff }`: on or off, the time zone, office hours ([] = always), the wait before email is offered */
export type HandoffSettings = z.infer<typeof HandoffSettingsSchema>;
export type OfficeHours = HandoffSettings["officeHours"][number];
/** an inbox row: the conversation with its status, assignee, visitor email and unread count */
export type InboxConversation = Conversation;
export type InboxFilter = NonNullable<ConversationFilters["status"]>;

/** The error body every API error has (server/src/errors.ts). */
export interface ApiErrorBody {
  error: { code: string; message: string; issues?: Array<{ path: string; message: string }> };
}
