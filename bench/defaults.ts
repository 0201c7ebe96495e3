// The bench's services, unless the environment names others: this machine's PostgreSQL and
// Redis. Imported before test/harness.ts, which reads these when it loads. TEST_DATABASE_URL
// set empty runs ChatLoop on its embedded database instead (bench/servers.ts).
process.env.TEST_DATABASE_URL ??= "postgres://postgres@127.0.0.1:5432/test";
process.env.TEST_REDIS_URL ||= "redis://127.0.0.1:6379";
