// Bad configuration stops the server at start with one clear line naming the variable.
import { describe, expect, test } from "bun:test";
import { runCli } from "./helpers/server.ts";
import { tempDir } from "./helpers/engine.ts";

describe("configuration", () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ["unknown time zone", { LIGHTFLOW_TIMEZONE: "Mars/Olympus" }, /^lightflow: LIGHTFLOW_TIMEZONE: "Mars\/Olympus" is not a known IANA time zone/],
    ["concurrency 0", { LIGHTFLOW_GLOBAL_CONCURRENCY: "0" }, /^lightflow: LIGHTFLOW_GLOBAL_CONCURRENCY: 0 is out of range/],
    ["concurrency not a number", { LIGHTFLOW_GLOBAL_CONCURRENCY: "four" }, /^lightflow: LIGHTFLOW_GLOBAL_CONCURRENCY: "four" is not a whole number/],
    ["unparsable bind address", { LIGHTFLOW_BIND: "localhost" }, /^lightflow: LIGHTFLOW_BIND: "localhost" is not host:port/],
    ["unwritable data directory", { LIGHTFLOW_DATA_DIR: "/proc/lightflow-data" }, /^lightflow: LIGHTFLOW_DATA_DIR: cannot use \/proc\/lightflow-data as a writable directory/],
    ["bad boolean", { LIGHTFLOW_COOKIE_SECURE: "maybe" }, /^lightflow: LIGHTFLOW_COOKIE_SECURE: "maybe" is not true or false/],
    ["bad SMTP security", { SMTP_HOST: "localhost", SMTP_SECURITY: "ssl3" }, /^lightflow: SMTP_SECURITY:/],
    ["short metrics token", { LIGHTFLOW_METRICS_TOKEN: "abc" }, /^lightflow: LIGHTFLOW_METRICS_TOKEN: use at least 16 characters/],
  ];
  for (const [name, env, message] of cases) {
    test(`${name}: exit 2 with one line naming the variable, no stack trace`, async () => {
      const { code, out, err } = await runCli(["serve"], { LIGHTFLOW_DATA_DIR: tempDir(), ...env });
      expect(code).toBe(2);
      expect(out).toBe("");
      expect(err).toMatch(message);
      expect(err.trim().split("\n").length).toBe(1);
    });
  }

  test("unknown commands and flags fail with a usage line", async () => {
    for (const args of [["frobnicate"], ["serve", "--fast"], ["--nope"]]) {
      const { code, err } = await runCli(args);
      expect(code).toBe(2);
      expect(err).toContain("usage: lightflow");
    }
  });

  test("version prints the version", async () => {
    const { code, out } = await runCli(["version"], { GIT_COMMIT: "abc1234" });
    expect(code).toBe(0);
    expect(out).toMatch(/^lightflow \d+\.\d+\.\d+ \(commit abc1234\)/);
  });
});
