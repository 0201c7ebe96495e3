// Failures a client can act on. Each carries the HTTP status and a stable `code`; the HTTP
// edge and the socket edge both turn them into `{ message, code }` and nothing more.
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string) => new AppError(400, code, message);
export const unauthorized = (code: string, message: string) => new AppError(401, code, message);
export const forbidden = (code: string, message: string) => new AppError(403, code, message);
export const notFound = (code: string, message: string) => new AppError(404, code, message);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const unavailable = (code: string, message: string) => new AppError(503, code, message);

export interface ErrorBody {
  message: string;
  code: string;
}

/** What a client may see of any error: an AppError as it is, anything else reduced to a safe line. */
export function publicError(error: unknown): ErrorBody & { status: number; retryAfterMs?: number } {
  if (error instanceof AppError) {
    const retry = (error as { retryAfterMs?: number }).retryAfterMs;
    return { status: error.status, code: error.code, message: error.message, ...(retry === undefined ? {} : { retryAfterMs: retry }) };
  }
  if (isDatabaseUnavailable(error)) {
    return { status: 503, code: "unavailable", message: "the database is unavailable, try again" };
  }
  return { status: 500, code: "internal", message: "internal error" };
}

// The database cannot be reached, or did not answer in time, as opposed to a query it refused:
// worth a retry. SQLSTATE class 08 is "connection exception"; 57014 a statement cancelled (its
// statement_timeout); 57P01-57P03 are shutdowns and start-ups. ETIMEDOUT is also a missed
// answer deadline (src/db/timeouts.ts).
const UNREACHABLE = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "57014",
  "57P01",
  "57P02",
  "57P03",
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (UNREACHABLE.has(code) || code.startsWith("08"));
}
