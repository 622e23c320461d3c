// The README's front door, run as written: the first sign-in with curl alone
// (no browser, no e-mail) and the worked example after it, with bash against a
// real server. Only the address and the pasted token are filled in, as a reader would.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./helpers/engine.ts";
import { startServer, type ServerProcess } from "./helpers/server.ts";

const README = readFileSync(join(import.meta.dir, "..", "README.md"), "utf8");

/** The first ```sh block after a heading or a paragraph that starts with `marker`. */
function block(marker: string): string {
  const at = README.indexOf(marker);
  if (at === -1) throw new Error(`README has no "${marker}"`);
  const m = /```sh\n([\s\S]*?)```/.exec(README.slice(at));
  if (!m) throw new Error(`README has no sh block after "${marker}"`);
  return m[1]!;
}

let server: ServerProcess;
let work: string;
beforeAll(async () => {
  server = await startServer({ env: { LIGHTFLOW_ADMIN_EMAIL: "you@example.com" } });
  work = tempDir("lightflow-readme-");
});
afterAll(async () => {
  await server?.stop();
  server?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function bash(script: string): Promise<{ code: number; out: string; err: string }> {
  const proc = Bun.spawn(["bash", "-e", "-c", script], { cwd: work, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH!, HOME: work } });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

const withServer = (script: string) => script.replace("B=http://127.0.0.1:8080", `B=${server.url}`);

test("the first sign-in works with curl alone, then the worked example as written", async () => {
  const signIn = withServer(block("**Without a browser**"));
  expect(signIn).toContain("TOKEN=paste-the-token-here");
  // the reader runs the first command, reads the link in the server log, and pastes its token
  const [ask, rest] = signIn.split(/^TOKEN=.*$/m) as [string, string];
  const asked = await bash(ask);
  expect(asked.code).toBe(0);
  const token = (await server.waitForText(/admin setup link for you@example\.com: \S+#token=(\S+)(?=\s)/))[1]!;
  const done = await bash(`${ask.match(/^B=.*$/m)![0]}\nTOKEN=${token}\n${rest}`);
  expect(done.err).toBe("");
  expect(done.code).toBe(0);
  expect(done.out).toContain('"email":"you@example.com"'); // GET /api/me with the cookie from set-password

  const example = await bash(withServer(block("## A worked example with curl")));
  expect(example.err).toBe("");
  expect(example.code).toBe(0);
  expect(example.out).toContain("hello 1\nhello 2\nhello 3\n"); // the followed log
  expect(example.out).toMatch(/"task":"hello"/); // the run at the end
}, 60_000);
