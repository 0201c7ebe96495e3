import { t } from "elysia";
import { Username } from "../auth/schemas";
import { Content } from "../messages/schemas";
import { Id, Text } from "../schemas";

// The webhook posts as a user of this name, so it follows the rules of usernames.
export const CreateWebhook = t.Object({ name: Username });
export const Webhook = t.Object({ id: Id, name: t.String(), createdAt: t.String({ format: "date-time" }) });
export const NewWebhook = t.Object({ id: Id, name: t.String(), url: t.String({ description: "post here; the last segment is the secret, shown this once" }) });
export const WebhookParams = t.Object({ roomId: Id, webhookId: Id });
export const HookParams = t.Object({ secret: Text({ minLength: 1, maxLength: 100 }) });
/** ChatLoop's `{ content }`, or Slack's `{ text }`; other fields of Slack's are ignored. */
export const HookPost = t.Object({ content: t.Optional(Content), text: t.Optional(Content) });
