import { t } from "elysia";
import { User, Username } from "../auth/schemas";
import { Text } from "../schemas";

export const CreateBot = t.Object({
  username: Username,
  // Checked further by the domain: http(s), and where it leads.
  webhookUrl: t.Optional(Text({ minLength: 1, maxLength: 2000, error: "webhookUrl must be an http(s) URL of at most 2000 characters" })),
});
export const BotListItem = t.Object({ user: User, webhookUrl: t.Union([t.String(), t.Null()]) });
export const NewBot = t.Composite([
  BotListItem,
  t.Object({
    token: t.String({ description: "its API token, shown this once" }),
    secret: t.String({ description: "what its deliveries are signed with, shown this once" }),
  }),
]);
