// One wording for bad input at both edges: the HTTP edge passes Elysia's errors here, the
// socket edge validates with the same schemas compiled below.
import type { Static, TSchema } from "@sinclair/typebox";
import { TypeCompiler, type ValueError, ValueErrorType } from "@sinclair/typebox/compiler";
import { badRequest } from "./errors";

/**
 * "roomId: must be an id (a UUID)"; the schema's own `error` text wins over TypeBox's, except
 * for text that is not well-formed, which every string schema refuses alike.
 */
export function describeInvalid(error: ValueError | undefined, where: string): string {
  if (!error) return `invalid ${where}`;
  const field = error.path.replace(/^\//, "").replaceAll("/", ".") || where;
  return `${field}: ${reasonOf(error)}`;
}

function reasonOf(error: ValueError): string {
  if (error.type === ValueErrorType.StringFormat && typeof error.value === "string" && !error.value.isWellFormed()) return "must be well-formed Unicode text";
  return typeof error.schema.error === "string" ? error.schema.error : error.message.toLowerCase();
}

export function compileValidator<T extends TSchema>(schema: T): (value: unknown) => Static<T> {
  const check = TypeCompiler.Compile(schema);
  return (value) => {
    if (check.Check(value)) return value;
    throw badRequest("invalid_input", describeInvalid(check.Errors(value).First(), "payload"));
  };
}
