// Held streams end with their access: on a change that ends it, at a session's
// expiry, when the role no longer fits; and only then, and only once.
import { expect, test } from "bun:test";
import type { User } from "../db/users.ts";
import { ManualClock } from "../engine/clock.ts";
import type { Principal } from "./service.ts";
import { AccessWatch } from "./watch.ts";

const DAY = 86_400_000;

function setup() {
  const clock = new ManualClock(0);
  const listeners: (() => void)[] = [];
  const state = { valid: true, role: "admin" as User["role"] };
  const auth = {
    stillValid: (p: Principal) => (state.valid && (p.expiresAt === null || clock.now() < p.expiresAt) ? ({ ...p.user, role: state.role } as User) : null),
    onAccessChange: (l: () => void) => (listeners.push(l), () => {}),
  };
  const changed = async () => {
    for (const l of listeners) l();
    await Promise.resolve(); // the watch checks once the change is done
  };
  return { watch: new AccessWatch(auth, clock), clock, state, changed };
}

const principal = (expiresAt: number | null): Principal => ({
  user: { id: 1, role: "admin" } as User,
  via: expiresAt === null ? "token" : "session",
  sessionHash: expiresAt === null ? null : "h",
  tokenId: expiresAt === null ? 7 : null,
  expiresAt,
});

test("a change that leaves the access alone ends nothing; one that ends it ends the stream once", async () => {
  const { watch, state, changed } = setup();
  let ended = 0;
  watch.hold(principal(null), "any", () => ended++);
  await changed();
  expect(ended).toBe(0);
  state.valid = false;
  await changed();
  await changed();
  expect(ended).toBe(1);
});

test("a session's stream ends at its expiry, even 30 days out (past setTimeout's longest wait)", () => {
  const { watch, clock } = setup();
  let ended = 0;
  watch.hold(principal(30 * DAY), "any", () => ended++);
  clock.advanceTo(30 * DAY - 1);
  expect(ended).toBe(0);
  clock.advanceTo(30 * DAY);
  expect(ended).toBe(1);
});

test("an admin-only stream ends when its user is no longer an admin; an 'any' stream goes on", async () => {
  const { watch, state, changed } = setup();
  const ended: string[] = [];
  watch.hold(principal(null), "admin", () => ended.push("admin"));
  watch.hold(principal(null), "any", () => ended.push("any"));
  state.role = "viewer";
  await changed();
  expect(ended).toEqual(["admin"]);
});

test("a released stream is not ended later, and its expiry timer is gone", async () => {
  const { watch, clock, state, changed } = setup();
  let ended = 0;
  const release = watch.hold(principal(DAY), "any", () => ended++);
  release();
  expect(clock.pending()).toEqual([]);
  state.valid = false;
  await changed();
  clock.advanceTo(2 * DAY);
  expect(ended).toBe(0);
});
