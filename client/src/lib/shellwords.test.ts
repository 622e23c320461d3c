import { describe, expect, test } from "bun:test";
import { joinArgs, splitArgs } from "./shellwords.ts";

describe("splitArgs", () => {
  test("splits on blanks and honours single quotes, double quotes and backslashes", () => {
    expect(splitArgs(`backup.py 'my disk' "say \\"hi\\"" a\\ b ''`)).toEqual(["backup.py", "my disk", 'say "hi"', "a b", ""]);
  });
  test("keeps $ and * literally: no shell runs the command", () => {
    expect(splitArgs(`echo $HOME *.log`)).toEqual(["echo", "$HOME", "*.log"]);
  });
  test("refuses an unclosed quote", () => {
    expect(() => splitArgs(`'open`)).toThrow(/single quote/);
    expect(() => splitArgs(`"open`)).toThrow(/double quote/);
  });
});

describe("joinArgs", () => {
  test("quotes only what needs it, and splitting the result gives the array back", () => {
    const args = ["-c", "echo it's done", "", "--target=/mnt/disk", "a\\b", 'q"q', "tab\there"];
    expect(joinArgs(["--x", "plain.txt"])).toBe("--x plain.txt");
    expect(splitArgs(joinArgs(args))).toEqual(args);
  });
});
