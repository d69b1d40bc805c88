import type { IncomingMessage, ServerResponse } from "node:http";

export interface WebhookEvent {
  id: string;
  type: string;
  createdAt: string;
  siteId: string;
  data: Record<string, unknown>;
}

export function verifySignature(secret: string, rawBody: string, header: string | undefined, nowMs?: number): boolean;
export function handleDeliveries(
  secret: string,
  onEvent: (event: WebhookEvent) => void,
): (req: IncomingMessage, res: ServerResponse) => void;
