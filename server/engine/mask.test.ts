// Secrets are masked across chunk boundaries, and only what could be the start
// of a secret waits for the next chunk.
import { expect, test } from "bun:test";
import { Masker } from "./mask.ts";

const text = (b: Uint8Array) => Buffer.from(b).toString();

test("output that cannot start a secret is written at once, even while secrets exist", () => {
  const m = new Masker(["hunter2-long-secret"]);
  expect(text(m.push(Buffer.from("waiting for the backup…\n")))).toBe("waiting for the backup…\n");
  expect(text(m.flush())).toBe("");
});

test("a tail that could start a secret waits, then is masked or released", () => {
  const m = new Masker(["hunter2-long-secret"]);
  expect(text(m.push(Buffer.from("key=hunt")))).toBe("key=");
  expect(text(m.push(Buffer.from("er2-long-secret and more")))).toBe("*** and more");
  expect(text(m.push(Buffer.from("a hunt")))).toBe("a ");
  expect(text(m.push(Buffer.from("ing trip")))).toBe("hunting trip");
});

test("a split secret is masked at any split point, and a longer secret wins over a shorter one inside it", () => {
  const secrets = ["abcdefgh", "cdef", "s3cr3t-value"];
  const input = "x abcdefgh y cdef z s3cr3t-value!";
  for (let cut = 0; cut <= input.length; cut++) {
    const m = new Masker(secrets);
    const out = text(m.push(Buffer.from(input.slice(0, cut)))) + text(m.push(Buffer.from(input.slice(cut)))) + text(m.flush());
    expect([cut, out]).toEqual([cut, "x *** y *** z ***!"]);
  }
});

test("byte by byte, nothing of a secret ever leaves the masker", () => {
  const m = new Masker(["correct horse"]);
  const input = "pw: correct horse; corrected horses; correct horse";
  let out = "";
  for (const ch of input) out += text(m.push(Buffer.from(ch)));
  out += text(m.flush());
  expect(out).toBe("pw: ***; corrected horses; ***");
});
