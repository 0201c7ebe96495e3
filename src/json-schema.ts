// Our schemas as others read them (the OpenAPI and AsyncAPI documents): TypeBox's `error`
// keyword (our wording of a refusal, src/validation.ts) is no JSON Schema, and Elysia's
// `t.Integer`, which also takes the digits of a query string, spells itself "a string or an
// integer" with a default of 0: to a client it is an integer, with its own default.
export function publishedSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(publishedSchema);
  if (!value || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  const branches = Array.isArray(object.anyOf) ? (object.anyOf as Record<string, unknown>[]) : [];
  const numeric = branches.find((branch) => branch.type === "integer" || branch.type === "number");
  if (numeric && branches.every((branch) => branch === numeric || (branch.type === "string" && (branch.format === "integer" || branch.format === "numeric")))) {
    return publishedSchema(numeric);
  }
  return Object.fromEntries(
    Object.entries(object)
      .filter(([key, v]) => !(key === "error" && typeof v === "string"))
      .map(([key, v]) => [key, publishedSchema(v)]),
  );
}
