// The script list's walk over links that cannot be resolved: each is left
// out, and the walk goes on (a link through a file used to fail the list).
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkPath, type ScriptPath } from "./paths.ts";
import { ScriptFiles } from "./service.ts";

const base = mkdtempSync(join(tmpdir(), "lightflow-scripts-links-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const p = (s: string): ScriptPath => {
  const c = checkPath(s);
  if ("problem" in c) throw new Error(c.problem);
  return c.path;
};

test("links through a file, in a chain past the kernel's limit, in a loop or to nowhere are left out of the list and refused on open; a linked directory is listed under its own path", async () => {
  const root = join(base, "scripts");
  mkdirSync(join(root, "d"), { recursive: true });
  writeFileSync(join(root, "a.sh"), "#!/bin/sh\n");
  writeFileSync(join(root, "d", "b.sh"), "#!/bin/sh\n");
  symlinkSync("a.sh/x", join(root, "through-file")); // ENOTDIR
  for (let i = 0; i < 45; i++) symlinkSync(i === 44 ? "a.sh" : `c${i + 1}`, join(root, `c${i}`)); // ELOOP
  symlinkSync("ping", join(root, "pong"));
  symlinkSync("pong", join(root, "ping"));
  symlinkSync("nowhere", join(root, "dangling"));
  symlinkSync("..", join(root, "d", "up"));
  symlinkSync("d", join(root, "alias"));
  const files = new ScriptFiles({ dir: root, env: {} });
  // c5…c44 are 40 hops or fewer from a.sh: they resolve, and are listed like any link to a file
  const chained = Array.from({ length: 40 }, (_, i) => `c${i + 5}`);
  expect((await files.list()).map((e) => e.path)).toEqual(["a.sh", ...chained, "d/b.sh"].sort());
  for (const name of ["through-file", "c0", "ping", "dangling", "through-file/y"]) expect([name, await files.read(p(name))]).toEqual([name, "outside"]);
  expect(await files.read(p("c40"))).toEqual({ text: "#!/bin/sh\n" }); // four hops: fine
});
