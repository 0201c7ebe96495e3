// Reads the environment once, validates it, and fails loudly on anything wrong.

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { OutboxSettings } from "./bots/outbox";
import type { Limit, Limits } from "./limits/rate-limits";
import { LOG_LEVELS, type LogLevel } from "./log";
import { generateVapidKeys, type VapidKeys, vapidKeysProblem } from "./push/keys";

export interface Config {
  host: string;
  port: number;
  /** PostgreSQL URL; absent means the embedded database in `dataDir`. */
  databaseUrl?: string;
  /** Connections to that PostgreSQL (the embedded one takes a single connection). */
  databasePoolSize?: number;
  /** Redis URL; absent means in-process pub/sub (a single instance). */
  redisUrl?: string;
  /** Folder for the embedded database and the generated JWT secret and VAPID keys. */
  dataDir: string;
  jwtSecret: string;
  /** How long a token lives, in seconds. */
  tokenTtlSeconds: number;
  /** argon2id cost; tests lower it, `Bun.password.verify` reads it back from each hash. */
  passwordHashing: { memoryCost: number; timeCost: number };
  /** Messages longer than this many characters are refused. */
  maxMessageLength: number;
  /** Largest HTTP request body and Socket.IO frame, in bytes. */
  maxBodyBytes: number;
  /** Prefix of Redis channels, so that separate deployments can share one Redis. */
  redisPrefix: string;
  /** Whether X-Forwarded-For's last hop is the client's address (behind our own proxy). */
  trustProxy: boolean;
  limits: Limits;
  /** Sockets one user may have open at once, on all instances together. */
  maxConnectionsPerUser: number;
  /** Log lines below this level are dropped (`warn`: no line per request). */
  logLevel: LogLevel;
  /** /metrics on the app's port needs `Authorization: Bearer <this>`; without it, it is not served there. */
  metricsToken?: string;
  /** A port of its own for /metrics, on HOST: for a network only Prometheus reaches. */
  metricsPort?: number;
  push: PushConfig;
  /** Who may create an account: anyone, or only who holds the join link. */
  registration: Registration;
  /** Where people reach this server (`https://chat.example.com`): the origin of the links it hands out. */
  publicUrl?: string;
  bots: OutboxSettings;
  /** Whether links in messages are previewed (ChatLoop then fetches them: the linked sites see it). */
  linkPreviews: boolean;
  uploads: UploadsConfig;
}

export interface UploadsConfig {
  /** Largest file one upload (an attachment or an avatar) may be, in bytes. */
  maxBytes: number;
  /** Where uploaded files live: a folder of this instance, or an S3-compatible bucket shared by all. */
  storage: { kind: "disk"; dir: string } | ({ kind: "s3" } & S3Settings);
}

export interface S3Settings {
  bucket: string;
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

export const REGISTRATION_MODES = ["open", "link"] as const;
export type Registration = (typeof REGISTRATION_MODES)[number];

export interface PushConfig {
  /** Signs every push (VAPID); browsers subscribe with its public key. */
  vapid: VapidKeys & {
    /** A mailto: or https: contact, for push services to reach whoever runs this server. */
    subject: string;
  };
  /** Endpoints may be http, localhost or private addresses: for tests, never on a shared network. */
  allowPrivateEndpoints: boolean;
  /** The wait before a failed push is tried again, doubled for each later try. Tests shorten it. */
  firstRetryMs: number;
}

export class ConfigError extends Error {}

const MIN_SECRET_LENGTH = 32;
/** Connections to a PostgreSQL server, unless DATABASE_POOL_SIZE says otherwise. */
export const DEFAULT_POOL_SIZE = 10;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const production = env.NODE_ENV === "production";
  const dataDir = resolve(env.DATA_DIR ?? "./data");
  return {
    ...listenAddress(env),
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolSize: integer(env, "DATABASE_POOL_SIZE", DEFAULT_POOL_SIZE, 1, 100),
    redisUrl: env.REDIS_URL || undefined,
    dataDir,
    jwtSecret: jwtSecret(env.JWT_SECRET, production, dataDir),
    tokenTtlSeconds: integer(env, "TOKEN_TTL_SECONDS", 12 * 3600, 60, 7 * 24 * 3600),
    passwordHashing: passwordHashing(env),
    maxMessageLength: integer(env, "MAX_MESSAGE_LENGTH", 4000, 1, 100_000),
    maxBodyBytes: integer(env, "MAX_BODY_BYTES", 64 * 1024, 1024, 16 * 1024 * 1024),
    redisPrefix: env.REDIS_PREFIX ?? "chatloop",
    trustProxy: flag(env, "TRUST_PROXY"),
    limits: {
      loginPerAccount: rate(env, "LIMIT_LOGIN_PER_ACCOUNT", "10/300"),
      loginPerAddress: rate(env, "LIMIT_LOGIN_PER_ADDRESS", "100/300"),
      registerPerAddress: rate(env, "LIMIT_REGISTER_PER_ADDRESS", "20/3600"),
      messagesPerUser: rate(env, "LIMIT_MESSAGES_PER_USER", "30/10"),
    },
    maxConnectionsPerUser: integer(env, "MAX_CONNECTIONS_PER_USER", 20, 1, 10_000),
    logLevel: oneOf(env, "LOG_LEVEL", LOG_LEVELS, "info"),
    metricsToken: metricsToken(env.METRICS_TOKEN),
    metricsPort: env.METRICS_PORT ? integer(env, "METRICS_PORT", 0, 1, 65535) : undefined,
    push: {
      vapid: { ...vapidKeys(env, production, dataDir), subject: vapidSubject(env.VAPID_SUBJECT, production) },
      allowPrivateEndpoints: flag(env, "PUSH_ALLOW_PRIVATE"),
      firstRetryMs: 10_000,
    },
    // A server in production is on a network: open to anyone only when it says so.
    registration: oneOf(env, "REGISTRATION", REGISTRATION_MODES, production ? "link" : "open"),
    publicUrl: publicUrl(env.PUBLIC_URL),
    bots: { allowPrivate: flag(env, "WEBHOOK_ALLOW_PRIVATE"), firstRetryMs: 10_000, pollMs: 1000 },
    linkPreviews: flag(env, "LINK_PREVIEWS", "true"),
    uploads: {
      maxBytes: integer(env, "MAX_UPLOAD_BYTES", 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      storage: uploadStorage(env, dataDir),
    },
  };
}

// S3_BUCKET chooses S3; without it the other S3_ variables would be silently ignored, so they
// are refused instead. Credentials may come from Bun's own AWS_ variables when not given here.
function uploadStorage(env: Record<string, string | undefined>, dataDir: string): UploadsConfig["storage"] {
  const bucket = env.S3_BUCKET || undefined;
  const others = ["S3_ENDPOINT", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"].filter((name) => env[name]);
  if (!bucket) {
    if (others.length > 0) throw new ConfigError(`${others.join(", ")} set without S3_BUCKET: set S3_BUCKET to store uploads in S3, or unset them`);
    return { kind: "disk", dir: join(dataDir, "uploads") };
  }
  const endpoint = env.S3_ENDPOINT || undefined;
  if (endpoint && !/^https?:\/\/[^\s/]+/.test(endpoint)) throw new ConfigError(`S3_ENDPOINT must be an http(s) URL, got "${endpoint}"`);
  if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY)) throw new ConfigError("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither");
  return {
    kind: "s3",
    bucket,
    endpoint,
    region: env.S3_REGION || undefined,
    accessKeyId: env.S3_ACCESS_KEY_ID || undefined,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY || undefined,
  };
}

/** An http(s) origin, without a path: the links it makes append their own. */
function publicUrl(given: string | undefined): string | undefined {
  if (!given) return undefined;
  const url = URL.parse(given);
  if (!url || !/^https?:$/.test(url.protocol) || url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`PUBLIC_URL must be an http(s) origin such as https://chat.example.com, got "${given}"`);
  }
  return url.origin;
}

/** "true" or "false" (or unset: the fallback); anything else is a mistake worth hearing about. */
function flag(env: Record<string, string | undefined>, name: string, fallback: "true" | "false" = "false"): boolean {
  const raw = env[name] || fallback;
  if (raw !== "true" && raw !== "false") throw new ConfigError(`${name} must be "true" or "false", got "${raw}"`);
  return raw === "true";
}

/**
 * argon2id's cost. OWASP's minimums trade memory for passes (46 MiB x 1, 19 MiB x 2, 12 MiB x 3,
 * 9 MiB x 4, 7 MiB x 5): memory times passes must reach the cheapest of them.
 */
function passwordHashing(env: Record<string, string | undefined>): Config["passwordHashing"] {
  const memoryCost = integer(env, "PASSWORD_MEMORY_KIB", 19456, 7168, 4 * 1024 * 1024);
  const timeCost = integer(env, "PASSWORD_TIME_COST", 2, 1, 20);
  if (memoryCost * timeCost < 7168 * 5) {
    throw new ConfigError(`PASSWORD_MEMORY_KIB x PASSWORD_TIME_COST must be at least ${7168 * 5} (OWASP's argon2id minimum), got ${memoryCost} x ${timeCost}`);
  }
  return { memoryCost, timeCost };
}

function oneOf<T extends string>(env: Record<string, string | undefined>, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name] || fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(", ")}, got "${raw}"`);
  return raw as T;
}

/** "N/S": at most N in any window of S seconds. */
function rate(env: Record<string, string | undefined>, name: string, fallback: string): Limit {
  const raw = env[name] || fallback;
  const [max, seconds] = raw.split("/").map(Number);
  if (!Number.isInteger(max) || !Number.isInteger(seconds) || max! < 1 || seconds! < 1) {
    throw new ConfigError(`${name} must be "N/SECONDS" (e.g. "30/10": 30 per 10 s), got "${raw}"`);
  }
  return { max: max!, windowMs: seconds! * 1000 };
}

/** HOST and PORT: where the server listens, and where `chatloop healthcheck` asks. */
export function listenAddress(env: Record<string, string | undefined> = process.env): Pick<Config, "host" | "port"> {
  return { host: env.HOST ?? "127.0.0.1", port: integer(env, "PORT", 3000, 0, 65535) };
}

function integer(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

// A production deployment must bring its own secret: a generated one would differ per
// instance and vanish with the container. Elsewhere one is generated once and kept.
function jwtSecret(given: string | undefined, production: boolean, dataDir: string): string {
  if (given) {
    if (given.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(`JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters long`);
    }
    return given;
  }
  if (production) {
    throw new ConfigError("JWT_SECRET is required when NODE_ENV=production (at least 32 random characters)");
  }
  const file = join(dataDir, "jwt-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}

/** A bearer token that stands between the world and /metrics must not be guessable. */
function metricsToken(given: string | undefined): string | undefined {
  if (!given) return undefined;
  if (given.length < MIN_SECRET_LENGTH) throw new ConfigError(`METRICS_TOKEN must be at least ${MIN_SECRET_LENGTH} characters long`);
  return given;
}

// Browsers subscribe with the public key: keys that changed would leave every subscription
// unreachable, so like the JWT secret they are given in production and kept elsewhere.
function vapidKeys(env: Record<string, string | undefined>, production: boolean, dataDir: string): VapidKeys {
  const { VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey } = env;
  if (publicKey || privateKey) {
    if (!publicKey || !privateKey) throw new ConfigError("VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together: set both, or neither outside production");
    const problem = vapidKeysProblem({ publicKey, privateKey });
    if (problem) throw new ConfigError(problem);
    return { publicKey, privateKey };
  }
  if (production) {
    throw new ConfigError("VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are required when NODE_ENV=production (`chatloop vapid-keys` makes a pair)");
  }
  const file = join(dataDir, "vapid.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  mkdirSync(dataDir, { recursive: true });
  const keys = generateVapidKeys();
  writeFileSync(file, JSON.stringify(keys) + "\n", { mode: 0o600 });
  return keys;
}

// Push services write to it when this server's pushes misbehave; Apple's refuses a localhost one.
function vapidSubject(given: string | undefined, production: boolean): string {
  if (given) {
    if (!/^(mailto:\S+@\S+|https:\/\/\S+)$/.test(given)) throw new ConfigError(`VAPID_SUBJECT must be a mailto: or https: URL, got "${given}"`);
    return given;
  }
  if (production) throw new ConfigError("VAPID_SUBJECT is required when NODE_ENV=production (mailto: or https:, how push services reach you)");
  return "mailto:admin@localhost";
}
