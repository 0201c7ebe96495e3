// An S3-protocol server for tests (s3rver), on 127.0.0.1 with its files in the folder given,
// and one bucket, "chatloop". Run under Node: under Bun 1.4.5 s3rver's logger resolves the
// wrong safe-stable-stringify (a nested dependency) and every request fails with 500.
// Prints its port, then serves until stdin closes (the test process exits or kills it).
import S3rver from "s3rver";

const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: process.argv[2], configureBuckets: [{ name: "chatloop" }] });
const { port } = await server.run();
process.stdout.write(`${port}\n`);
process.stdin.resume();
process.stdin.on("end", () => server.close().then(() => process.exit(0)));
