// Login throttling waits double and are capped; failures are forgotten after the window.
import { expect, test } from "bun:test";
import { Throttle } from "./throttle.ts";

const MIN = 60_000;

test("after the limit each failure doubles the wait, capped at 15 minutes", () => {
  const t = new Throttle(5);
  let now = 0;
  for (let i = 0; i < 4; i++) t.fail("a", now);
  expect(t.waitFor("a", now)).toBe(0);
  t.fail("a", now);
  expect(t.waitFor("a", now)).toBe(30_000);
  t.fail("a", now);
  expect(t.waitFor("a", now)).toBe(60_000);
  for (let i = 0; i < 10; i++) t.fail("a", now);
  expect(t.waitFor("a", now)).toBe(15 * MIN);
  expect(t.waitFor("b", now)).toBe(0);
});

test("never locked out for good: the wait ends, and old failures are forgotten", () => {
  const t = new Throttle(5);
  for (let i = 0; i < 20; i++) t.fail("admin", 0);
  expect(t.waitFor("admin", 15 * MIN)).toBe(0);
  t.fail("admin", 16 * MIN); // one new failure after the window: below the limit again
  expect(t.waitFor("admin", 16 * MIN)).toBe(0);
});

test("success clears the account", () => {
  const t = new Throttle(5);
  for (let i = 0; i < 6; i++) t.fail("a", 0);
  t.clear("a");
  expect(t.waitFor("a", 0)).toBe(0);
});

test("an attempt counts before it is checked: only `limit` of many at once go ahead", () => {
  const t = new Throttle(5);
  const allowed = Array.from({ length: 40 }, () => t.attempt("a", 0)).filter((w) => w === 0);
  expect(allowed.length).toBe(5);
  expect(t.waitFor("a", 0)).toBe(30_000);
});

test("a right attempt is forgiven: it neither counts nor blocks", () => {
  const t = new Throttle(5);
  for (let i = 0; i < 4; i++) t.fail("a", 0);
  expect(t.attempt("a", 1)).toBe(0); // the fifth: blocks until forgiven
  expect(t.waitFor("a", 1)).toBe(30_000);
  t.forgive("a", 1);
  expect(t.waitFor("a", 1)).toBe(0);
  expect(t.attempt("a", 2)).toBe(0);
  expect(t.waitFor("a", 2)).toBe(30_000);
});
