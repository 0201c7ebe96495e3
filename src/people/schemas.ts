import { t } from "elysia";
import { AvatarUrl } from "../auth/schemas";
import { Id, Text } from "../schemas";

export const Person = t.Object({ id: Id, username: t.String(), avatarUrl: AvatarUrl });
export const PeopleQuery = t.Object({
  query: t.Optional(Text({ maxLength: 100, default: "", error: "query must be at most 100 characters" })),
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 100, default: 20, error: "limit must be 1-100" })),
});

export type Person = typeof Person.static;
