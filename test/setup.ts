// Loaded before every test file (bunfig.toml). A test or hook that starts servers and
// databases can take more than Bun's default 5 s on a busy 2-core machine.
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(30_000);
