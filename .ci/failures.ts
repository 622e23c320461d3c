// After a red test run in CI: the end of what the servers of each failed file
// printed (tests/helpers/server.ts keepLog: the cluster nodes, in
// LIGHTFLOW_TEST_LOGS), then each failed test with its message, last. CI shows
// the end of its output only, and by then bun's own report of a failure may be
// hundreds of lines up.
//
//   bun .ci/failures.ts REPORT.xml... (JUnit files from bun test --reporter=junit)
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const MESSAGE_LINES = 25;
const LOG_LINES = 30;

const unescape = (s: string) =>
  s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

const attr = (tag: string, name: string) => unescape(new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1] ?? "");

const failedFiles = new Set<string>();
const failures: string[] = [];
for (const report of process.argv.slice(2)) {
  if (!existsSync(report)) continue;
  const xml = readFileSync(report, "utf8");
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const failure = /<failure\b[^>]*>([\s\S]*?)<\/failure>/.exec(m[2] ?? "");
    if (!failure) continue;
    const file = attr(m[1]!, "file");
    failedFiles.add(file);
    failures.push(`\n=== failed: ${file}: ${attr(m[1]!, "name")}\n${unescape(failure[1]!).split("\n").slice(0, MESSAGE_LINES).join("\n")}`);
  }
}

const logs = process.env.LIGHTFLOW_TEST_LOGS;
if (logs && existsSync(logs)) {
  for (const file of failedFiles) {
    const stem = file.split("/").pop()!.replace(/\.test\.ts$/, "");
    for (const name of readdirSync(logs).filter((n) => n.startsWith(`${stem}@`)).sort()) {
      const lines = readFileSync(join(logs, name), "utf8").trimEnd().split("\n");
      console.log(`\n=== the end of ${name} (${lines.length} lines)`);
      console.log(lines.slice(-LOG_LINES).join("\n"));
    }
  }
}

for (const f of failures) console.log(f);
