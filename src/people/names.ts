// How people are named to others. A deleted account keeps its username (nobody may take it),
// but what it wrote is shown as from "deleted user": a name no account can have (usernames
// have no spaces), so it can never be mistaken for someone.
import type { Queries } from "../db/sql";

export const DELETED_USER = "deleted user";

/** The name of the users row `alias`, as others see it. */
export const shownName = (sql: Queries, alias: string) => sql`case when ${sql(alias)}.deleted_at is null then ${sql(alias)}.username else ${DELETED_USER} end`;

/** Rows `alias` of users whom others can find and write to: neither deactivated nor deleted. */
export const findable = (sql: Queries, alias: string) => sql`${sql(alias)}.deactivated_at is null and ${sql(alias)}.deleted_at is null`;
