// The depth of a JSON body, read off its bytes: strings (with escapes and
// non-ASCII text) do not count, and a hostile depth stops the scan early.
import { expect, test } from "bun:test";
import { jsonDepth } from "./body.ts";

const depth = (text: string, limit?: number) => jsonDepth(new TextEncoder().encode(text), limit);

test("arrays and objects count, brackets inside strings do not", () => {
  expect(depth('{"a":1}')).toBe(1);
  expect(depth('{"steps":[{"args":["x"]}]}')).toBe(4);
  expect(depth('{"a":"[[[[{{{{", "b":"\\"[[[", "c":"日本語 [ 🙂"}')).toBe(1);
  expect(depth("42")).toBe(0);
});

test("a 100,000-deep body stops the scan past the limit", () => {
  expect(depth("[".repeat(100_000), 64)).toBe(65);
});
