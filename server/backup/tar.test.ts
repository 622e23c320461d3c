// The tar writer and reader against GNU tar, both ways: long names (pax and
// GNU), symlinks stored as links, and archives that try to write outside.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractTar, paxRecord, TarWriter } from "./tar.ts";

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), "lightflow-tar-test-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Every entry below `dir` by relative path: "dir", "link -> target", or "file <mode> <content>". Never follows a link. */
function describeTree(dir: string, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    const st = lstatSync(p);
    const rel = prefix + n;
    if (st.isSymbolicLink()) out[rel] = `link -> ${readlinkSync(p)}`;
    else if (st.isDirectory()) Object.assign(out, { [rel]: "dir" }, describeTree(p, `${rel}/`));
    else if (st.isFile()) out[rel] = `file ${(st.mode & 0o700).toString(8)} ${readFileSync(p, "latin1")}`;
  }
  return out;
}

function gnuTar(...args: string[]): string {
  const r = Bun.spawnSync(["tar", ...args], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`tar ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

async function archive(dir: string, as: string): Promise<string> {
  const file = join(temp(), "out.tar");
  const out = await open(file, "wx", 0o600);
  const tar = new TarWriter(out);
  await tar.tree(dir, as);
  await tar.end();
  await out.close();
  return file;
}

/** Names at and around the 100-byte ustar limit, the 255-byte file name limit, multi-byte names, and links of every kind. */
function hostileTree(outside: string): string {
  const root = temp();
  for (const len of [99, 100, 101, 150, 255]) writeFileSync(join(root, "n".repeat(len - 3) + ".sh"), `name of ${len}\n`);
  const deep = join(root, "d".repeat(200), "e".repeat(200));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, "f".repeat(250)), "deep\n");
  writeFileSync(join(root, "é".repeat(120)), "two bytes a character\n"); // 240 bytes in 120 characters
  writeFileSync(join(root, "empty"), "");
  writeFileSync(join(root, "block"), "b".repeat(512));
  writeFileSync(join(root, "big"), Buffer.alloc((1 << 20) + 3, "z"));
  mkdirSync(join(root, "empty-dir"));
  symlinkSync(".", join(root, "loop"));
  symlinkSync("self", join(root, "self"));
  symlinkSync("/etc/passwd", join(root, "passwd"));
  symlinkSync(outside, join(root, "outside"));
  symlinkSync("nowhere/at/all", join(root, "dangling"));
  symlinkSync(`${"x/".repeat(60)}target`, join(root, "long-target")); // 128 bytes: linkpath in pax
  symlinkSync("../..", join(deep, "up"));
  Bun.spawnSync(["mkfifo", join(root, "fifo")]);
  return root;
}

describe("the writer", () => {
  test("pax records count their own length across a change in digits", () => {
    for (let n = 1; n < 1100; n++) {
      const r = paxRecord("path", "p".repeat(n));
      expect(Number(r.split(" ")[0])).toBe(Buffer.byteLength(r));
    }
  });

  test("GNU tar extracts the same tree: long and multi-byte names, links as links, FIFOs left out", async () => {
    const outside = temp();
    writeFileSync(join(outside, "secret.txt"), "outside-secret-content");
    const root = hostileTree(outside);
    const file = await archive(root, "scripts");
    const bytes = readFileSync(file, "latin1");
    expect(bytes).not.toContain("outside-secret-content");
    expect(bytes).not.toContain("root:x:0:0");
    const listing = gnuTar("-tvf", file);
    expect(listing).toContain("scripts/passwd -> /etc/passwd");
    expect(listing).toContain("scripts/loop -> .");
    expect(listing).toContain(`scripts/outside -> ${outside}`);
    expect(listing).not.toContain("fifo");
    const back = temp();
    gnuTar("-xf", file, "-C", back);
    const expected = describeTree(root);
    delete expected.fifo;
    expect(describeTree(join(back, "scripts"))).toEqual(expected);
    expect(Object.keys(expected)).toContain("n".repeat(252) + ".sh");
  });

  test("a file that grows while it is archived is cut at the size it had, and the archive stays readable", async () => {
    const root = temp();
    writeFileSync(join(root, "a.log"), "x".repeat(1000));
    const file = join(temp(), "grow.tar");
    const out = await open(file, "wx", 0o600);
    const tar = new TarWriter(out);
    const writing = tar.file("a.log", join(root, "a.log"));
    writeFileSync(join(root, "a.log"), "y".repeat(5000), { flag: "a" });
    await writing;
    await tar.end();
    await out.close();
    const back = temp();
    gnuTar("-xf", file, "-C", back);
    expect([1000, 6000]).toContain(readFileSync(join(back, "a.log")).length);
  });
});

describe("the reader", () => {
  for (const format of ["pax", "gnu"]) {
    test(`reads what GNU tar writes in ${format} format, long names and links included`, async () => {
      const root = hostileTree("/nonexistent-outside");
      rmSync(join(root, "fifo"));
      const file = join(temp(), `${format}.tar`);
      gnuTar(`--format=${format}`, "-cf", file, "-C", root, ".");
      const back = temp();
      const got = extractTar(file, back);
      expect(describeTree(back)).toEqual(describeTree(root));
      expect(got.links).toContain("loop");
      expect(got.files).toContain("d".repeat(200) + "/" + "e".repeat(200) + "/" + "f".repeat(250));
    });
  }

  test("round trip through our own writer and reader", async () => {
    const root = hostileTree("/nonexistent-outside");
    const back = temp();
    extractTar(await archive(root, "scripts"), back);
    const expected = describeTree(root);
    delete expected.fifo;
    expect(describeTree(join(back, "scripts"))).toEqual(expected);
  });

  test("a file placed below a link of the same archive is refused and nothing is written outside", () => {
    const outside = temp();
    const a = temp();
    symlinkSync(outside, join(a, "x"));
    const b = temp();
    mkdirSync(join(b, "x"));
    writeFileSync(join(b, "x", "planted"), "pwned");
    const file = join(temp(), "evil.tar");
    gnuTar("-cf", file, "-C", a, "x", "-C", b, "x/planted"); // the link first, then a file through it
    expect(() => extractTar(file, temp())).toThrow(/symlink or a file|exists/i);
    expect(existsSync(join(outside, "planted"))).toBe(false);
  });

  test("names that lead out, and links outside what is allowed, are refused or left out", () => {
    const src = temp();
    mkdirSync(join(src, "scripts"));
    writeFileSync(join(src, "f"), "x");
    symlinkSync("/etc", join(src, "logs"));
    symlinkSync("/etc/passwd", join(src, "scripts", "pw"));
    const plain = join(temp(), "links.tar");
    gnuTar("-cf", plain, "-C", src, "logs", "scripts");
    const back = temp();
    const got = extractTar(plain, back, (n) => n.startsWith("scripts/"));
    expect(got.links).toEqual(["scripts/pw"]);
    expect(existsSync(join(back, "logs"))).toBe(false);
    for (const evil of ["../f", "/tmp/f", "a/../../f"]) {
      const file = join(temp(), "evil.tar");
      gnuTar("-cf", file, "-C", src, "--transform", `s,^f$,${evil},`, "-P", "f");
      expect(() => extractTar(file, temp())).toThrow("outside the data directory");
    }
  });

  test("a damaged header is refused, not read as data", () => {
    const src = temp();
    writeFileSync(join(src, "f"), "x");
    const file = join(temp(), "bad.tar");
    gnuTar("-cf", file, "-C", src, "f");
    const bytes = readFileSync(file);
    bytes[10] = bytes[10]! ^ 0xff;
    writeFileSync(file, bytes);
    expect(() => extractTar(file, temp())).toThrow("checksum");
  });
});
