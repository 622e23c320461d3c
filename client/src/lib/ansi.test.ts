import { expect, test } from "bun:test";
import { freshState, parseLine, plainText, stripAnsi } from "./ansi.ts";

test("turns SGR colours and bold into classes and keeps the text as text", () => {
  const segs = parseLine("a \x1b[1;31mred <b>\x1b[0m b", freshState());
  expect(segs).toEqual([
    { text: "a ", cls: "" },
    { text: "red <b>", cls: "a-f1 a-bold" },
    { text: " b", cls: "" },
  ]);
});

test("carries the colour on to the next line, like a terminal", () => {
  const st = freshState();
  parseLine("\x1b[32mgreen", st);
  expect(parseLine("still", st)[0].cls).toBe("a-f2");
});

test("maps 256-colour and true-colour codes to inline colours", () => {
  expect(parseLine("\x1b[38;5;208mx", freshState())[0].fg).toBe("rgb(255,135,0)");
  expect(parseLine("\x1b[48;2;1;2;3mx", freshState())[0].bg).toBe("rgb(1,2,3)");
});

test("drops other escape sequences and shows what follows the last carriage return", () => {
  expect(plainText(parseLine("\x1b[2K\x1b]0;title\x07 10%\r 55%\r", freshState()))).toBe(" 55%");
  expect(stripAnsi("\x1b[33mwarn\x1b[0m\n")).toBe("warn\n");
});
