// What the pages' form handlers share: how a posted form arrives, and which failures the
// form itself shows.
import { t } from "elysia";
import { AppError } from "../errors";
import { Text } from "../schemas";

/** Form fields arrive as text (or not at all); each form checks its fields with the API's own schemas. */
export const Form = t.Record(t.String(), Text());

/** The message a form shows for a failure the user can fix; anything else is not for the form. */
export function userError(error: unknown): string {
  if (error instanceof AppError && error.status < 500) return error.message;
  throw error;
}
