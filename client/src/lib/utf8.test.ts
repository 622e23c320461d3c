import { expect, test } from "bun:test";
import { encoder, utf8len, wholeChars } from "./utf8.ts";

test("counts UTF-8 bytes as the server does", () => {
  for (const s of ["abc", "héllo", "✓ done", "emoji 😀", ""]) expect(utf8len(s)).toBe(encoder.encode(s).length);
});

test("finds where a byte range stops cutting a character in two", () => {
  const b = encoder.encode("a✓");
  expect(wholeChars(b)).toBe(4);
  expect(wholeChars(b.subarray(0, 3))).toBe(1);
  expect(wholeChars(encoder.encode("ab"))).toBe(2);
});
