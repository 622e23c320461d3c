import { expect, test } from "bun:test";
import { ApiError } from "../api.ts";
import { createSubmit } from "./submit.ts";

test("is busy while a request runs, and says what a success returned", async () => {
  const form = createSubmit();
  let seen = false;
  const ok = await form.run(async () => {
    seen = form.busy();
    return "Saved.";
  });
  expect([ok, seen, form.busy(), form.done(), form.error()]).toEqual([true, true, false, "Saved.", ""]);
});

test("keeps a failure's sentence until the next success, and forgets what the last success said", async () => {
  const form = createSubmit();
  await form.run(async () => "Saved.");
  expect(await form.run(() => Promise.reject(new ApiError(409, "already exists")))).toBe(false);
  expect([form.error(), form.done(), form.busy()]).toEqual(["already exists", "", false]);
  expect(form.failure()).toBeInstanceOf(ApiError);
  await form.run(async () => undefined);
  expect(form.error()).toBe("");
});

test("puts an error that names a field the form shows beside it, any other above the form", async () => {
  const form = createSubmit(["name"]);
  await form.run(() => Promise.reject(new ApiError(422, "name: taken", "name")));
  expect([form.field("name"), form.field("slots"), form.error()]).toEqual(["name: taken", undefined, ""]);
  await form.run(() => Promise.reject(new ApiError(422, "secret: not a boolean", "secret")));
  expect([form.field("name"), form.error()]).toEqual([undefined, "secret: not a boolean"]);
});

test("shows a check made before asking the server, until cleared", () => {
  const form = createSubmit();
  form.setError("backup.py already exists.");
  expect(form.error()).toBe("backup.py already exists.");
  form.setError("");
  expect(form.error()).toBe("");
});
