// TypeScript types for a ChatLoop client, generated from the OpenAPI document:
//   bun scripts/openapi-types.ts http://127.0.0.1:3000/openapi.json > chatloop-api.ts
// `paths[path][method]` has `requestBody` (JSON) and `responses[status]`, as openapi-typescript
// spells them. Our own and small, because openapi-typescript 7 needs TypeScript 5's compiler
// API, which TypeScript 7 (ours) no longer has. It knows the JSON Schema the document uses:
// types (and lists of them), properties, required, enum, const, anyOf/oneOf/allOf, items,
// additionalProperties; anything else is `unknown`. test/api-documents.test.ts compiles real
// answers against what it writes.
type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  additionalProperties?: boolean | Schema;
};
type Operation = {
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};

export function openApiTypes(document: { paths: Record<string, Record<string, Operation>> }): string {
  const lines = ["// Generated from ChatLoop's /openapi.json by scripts/openapi-types.ts: do not edit.", "export interface paths {"];
  for (const [path, methods] of Object.entries(document.paths)) {
    lines.push(`  ${JSON.stringify(path)}: {`);
    for (const [method, operation] of Object.entries(methods)) {
      const body = operation.requestBody?.content?.["application/json"]?.schema;
      const responses = Object.entries(operation.responses ?? {}).map(([status, response]) => {
        const content = Object.entries(response.content ?? {});
        const json = content.find(([type]) => type.startsWith("application/json"))?.[1].schema;
        return `${status}: ${json ? typeOf(json) : content.length ? "string" : "never"}`;
      });
      lines.push(`    ${method}: {${body ? ` requestBody: ${typeOf(body)};` : ""} responses: { ${responses.join("; ")} } };`);
    }
    lines.push("  };");
  }
  lines.push("}", "");
  return lines.join("\n");
}

function typeOf(schema: Schema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return union(schema.enum.map((value) => JSON.stringify(value)));
  if (schema.anyOf ?? schema.oneOf) return union((schema.anyOf ?? schema.oneOf)!.map(typeOf));
  if (schema.allOf) return schema.allOf.map((s) => `(${typeOf(s)})`).join(" & ");
  if (Array.isArray(schema.type)) return union(schema.type.map((type) => typeOf({ ...schema, type })));
  switch (schema.type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array":
      return `Array<${schema.items ? typeOf(schema.items) : "unknown"}>`;
    case "object":
      return objectType(schema);
    default:
      return "unknown";
  }
}

function objectType(schema: Schema): string {
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]) => `${JSON.stringify(name)}${required.has(name) ? "" : "?"}: ${typeOf(property)}`);
  const rest = schema.additionalProperties;
  if (rest && typeof rest === "object") fields.push(`[key: string]: ${typeOf(rest)}`);
  else if (!schema.properties && rest !== false) fields.push("[key: string]: unknown");
  return `{ ${fields.join("; ")} }`;
}

const union = (types: string[]) => (types.length ? [...new Set(types)].join(" | ") : "never");

if (import.meta.main) {
  const source = process.argv[2];
  if (!source) throw new Error("usage: bun scripts/openapi-types.ts <url or file of openapi.json>");
  const document = /^https?:/.test(source) ? await (await fetch(source)).json() : await Bun.file(source).json();
  process.stdout.write(openApiTypes(document));
}
