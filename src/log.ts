// Structured logs: one JSON object per line on stdout/stderr.
type Fields = Record<string, unknown>;

export const LOG_LEVELS = ["info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Lines below this level are not written; set once at start, from LOG_LEVEL. Answers the level before. */
let least = 0;
export function setLogLevel(level: LogLevel): LogLevel {
  const before = LOG_LEVELS[least]!;
  least = LOG_LEVELS.indexOf(level);
  return before;
}

function write(level: LogLevel, event: string, fields: Fields): void {
  if (LOG_LEVELS.indexOf(level) < least) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields });
  (level === "info" ? console.log : console.error)(line);
}

export const log = {
  info: (event: string, fields: Fields = {}) => write("info", event, fields),
  warn: (event: string, fields: Fields = {}) => write("warn", event, fields),
  error: (event: string, error: unknown, fields: Fields = {}) =>
    write("error", event, { ...fields, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
};
