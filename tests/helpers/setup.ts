// Loaded before every test file (bunfig.toml): tests that start servers and
// processes need more than bun's 5 s default on a busy 2-core machine.
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(60_000);
