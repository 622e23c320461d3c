import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkPath, type ScriptPath } from "./paths.ts";
import { looksBinary, modeFor, ScriptFiles } from "./service.ts";

const base = mkdtempSync(join(tmpdir(), "lightflow-scripts-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const p = (s: string): ScriptPath => {
  const c = checkPath(s);
  if ("problem" in c) throw new Error(c.problem);
  return c.path;
};
const bytes = (s: string) => new TextEncoder().encode(s);

function setup() {
  const dir = mkdtempSync(join(base, "case-"));
  const root = join(dir, "scripts");
  mkdirSync(root);
  mkdirSync(join(dir, "outside"));
  writeFileSync(join(dir, "outside", "secret.txt"), "canary");
  symlinkSync(join(dir, "outside"), join(root, "out"));
  symlinkSync("/etc/passwd", join(root, "pw"));
  const files = new ScriptFiles({ dir: root, env: { PATH: process.env.PATH ?? "" } });
  return { dir, root, files };
}

describe("script files", () => {
  test("a save replaces the file atomically and leaves no temporary file", async () => {
    const { root, files } = setup();
    for (const text of ["one\n", "two two\n"]) {
      const r = await files.save(p("sub/dir/a.txt"), bytes(text));
      expect(r).toMatchObject({ path: "sub/dir/a.txt", size: text.length, check: null });
    }
    expect(readFileSync(join(root, "sub/dir/a.txt"), "utf8")).toBe("two two\n");
    expect(readdirSync(join(root, "sub/dir"))).toEqual(["a.txt"]);
  });

  test("a shebang or .sh makes a file 0750, anything else 0640, whatever the umask", async () => {
    const { root, files } = setup();
    await files.save(p("run"), bytes("#!/bin/sh\necho hi\n"));
    await files.save(p("lib.sh"), bytes("f() { :; }\n"));
    await files.save(p("notes.txt"), bytes("# !not a shebang\n"));
    expect(statSync(join(root, "run")).mode & 0o777).toBe(0o750);
    expect(statSync(join(root, "lib.sh")).mode & 0o777).toBe(0o750);
    expect(statSync(join(root, "notes.txt")).mode & 0o777).toBe(0o640);
    await files.save(p("run"), bytes("plain now\n"));
    expect(statSync(join(root, "run")).mode & 0o777).toBe(0o640);
    expect(modeFor("x.py", bytes("#!/usr/bin/env python3\n"))).toBe(0o750);
  });

  test("symlinks leading outside are never followed, for any operation", async () => {
    const { dir, files } = setup();
    expect(await files.read(p("out/secret.txt"))).toBe("outside");
    expect(await files.read(p("pw"))).toBe("outside");
    expect(await files.save(p("out/new.txt"), bytes("x"))).toBe("outside");
    expect(await files.save(p("out/secret.txt"), bytes("x"))).toBe("outside");
    expect(await files.remove(p("out/secret.txt"))).toBe("outside");
    expect(await files.rename(p("out/secret.txt"), p("stolen.txt"))).toEqual({ field: "from", failure: "outside" });
    expect(await files.rename(p("pw"), p("out/x"))).toEqual({ field: "from", failure: "outside" });
    expect(readdirSync(join(dir, "outside"))).toEqual(["secret.txt"]);
    expect(readFileSync(join(dir, "outside", "secret.txt"), "utf8")).toBe("canary");
  });

  test("a symlink that stays inside works; deleting it removes the link, not the file", async () => {
    const { root, files } = setup();
    await files.save(p("real/a.py"), bytes("x = 1\n"));
    symlinkSync("real", join(root, "alias"));
    expect(await files.read(p("alias/a.py"))).toEqual({ text: "x = 1\n" });
    await files.save(p("alias/a.py"), bytes("x = 2\n"));
    expect(readFileSync(join(root, "real/a.py"), "utf8")).toBe("x = 2\n");
    expect(await files.remove(p("alias"))).toBe(true);
    expect(existsSync(join(root, "real/a.py"))).toBe(true);
  });

  test("the list is recursive and sorted, skips links that leave and temp files, and marks binary files", async () => {
    const { root, files } = setup();
    await files.save(p("b.py"), bytes("print(1)\n"));
    await files.save(p("a/z.sh"), bytes("#!/bin/sh\n"));
    writeFileSync(join(root, "blob.bin"), new Uint8Array([1, 2, 0, 3]));
    writeFileSync(join(root, "latin1.txt"), new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    writeFileSync(join(root, ".lightflow-tmp-0123"), "half");
    symlinkSync(".", join(root, "loop"));
    const list = await files.list();
    expect(list.map((e) => [e.path, e.binary])).toEqual([
      ["a/z.sh", false],
      ["b.py", false],
      ["blob.bin", true],
      ["latin1.txt", true],
    ]);
    expect(list[1]!.size).toBe(9);
    expect(await files.read(p("blob.bin"))).toBe("binary");
    expect(await files.read(p("latin1.txt"))).toBe("binary");
  });

  test("a .py file with a syntax error is saved and the error has its line", async () => {
    const { root, files } = setup();
    const r = await files.save(p("bad.py"), bytes("x = 1\ndef f(:\n    pass\n"));
    expect(r).toMatchObject({ path: "bad.py", check: { line: 2 } });
    expect(typeof r === "object" && r.check?.message).toBeTruthy();
    expect(readFileSync(join(root, "bad.py"), "utf8")).toContain("def f(:");
    expect(await files.save(p("good.py"), bytes("import os\nprint(os.sep)\n"))).toMatchObject({ check: null });
  });

  test("the syntax check never runs the file nor imports from the scripts directory", async () => {
    const { dir, files } = setup();
    const marker = join(dir, "ran");
    await files.save(p("ast.py"), bytes(`open(${JSON.stringify(marker)}, "w").write("x")\n`));
    await files.save(p("json.py"), bytes(`open(${JSON.stringify(marker)}, "w").write("x")\n`));
    await files.save(p("x.py"), bytes(`open(${JSON.stringify(marker)}, "w").write("x")\n`));
    expect(existsSync(marker)).toBe(false);
  });

  test("delete, rename and their failures", async () => {
    const { root, files } = setup();
    await files.save(p("d/a.txt"), bytes("a"));
    await files.save(p("b.txt"), bytes("b"));
    expect(await files.remove(p("missing.txt"))).toBe("not_found");
    expect(await files.remove(p("d"))).toBe("not_empty");
    expect(await files.rename(p("d/a.txt"), p("b.txt"))).toEqual({ field: "to", failure: "exists" });
    expect(await files.rename(p("d"), p("d/e/f"))).toEqual({ field: "to", failure: "into_itself" });
    expect(await files.rename(p("d/a.txt"), p("new/place/a.txt"))).toBe(true);
    expect(readFileSync(join(root, "new/place/a.txt"), "utf8")).toBe("a");
    expect(await files.remove(p("d"))).toBe(true);
    expect(await files.read(p("b.txt/x"))).toBe("not_a_directory");
    expect(await files.read(p("new"))).toBe("not_a_file");
  });

  test("binary detection: NUL in the first 8 KiB or invalid UTF-8; a character cut at the end of a partial read is fine", () => {
    expect(looksBinary(bytes("plain text ✓"))).toBe(false);
    expect(looksBinary(new Uint8Array([0x61, 0]))).toBe(true);
    expect(looksBinary(new Uint8Array([0xff, 0xfe]))).toBe(true);
    const cut = bytes("ab✓").subarray(0, 3);
    expect(looksBinary(cut, true)).toBe(false);
    expect(looksBinary(cut, false)).toBe(true);
  });
});
