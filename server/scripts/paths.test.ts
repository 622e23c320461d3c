import { describe, expect, test } from "bun:test";
import { pathFromUrl, pathProblem } from "./paths.ts";

describe("script path names", () => {
  test("plain relative paths pass", () => {
    for (const p of ["a.py", "dir/sub/b.sh", "with space.txt", "ünï.py", ".hidden", "a..b", "...", "100%.txt"]) expect(pathProblem(p)).toBeNull();
  });

  test("every traversal form is refused with a reason", () => {
    const cases: [string, RegExp][] = [
      ["../x", /"\.\." is not allowed/],
      ["a/../../x", /"\.\." is not allowed/],
      ["./x", /"\." is not allowed/],
      ["/etc/passwd", /relative/],
      ["a\\..\\b", /backslash/],
      ["a\0b", /NUL/],
      ["a\nb", /control/],
      ["a//b", /empty segment/],
      ["a/", /empty segment/],
      ["", /required/],
      ["%2e%2e/x", /hidden behind percent-encoding/],
      ["%252e%252e/x", /hidden behind percent-encoding/],
      ["a%2f..%2fb", /hidden behind percent-encoding/],
      ["a%5c..", /backslash.*percent-encoding/],
      ["x%00", /NUL.*percent-encoding/],
      [".lightflow-tmp-abc", /reserved/],
      ["x".repeat(256), /longer than 255 bytes/],
    ];
    for (const [p, why] of cases) expect(pathProblem(p) ?? "").toMatch(why);
  });

  test("the URL path is decoded exactly once; malformed encoding gives null", () => {
    expect(pathFromUrl("http://h/api/scripts/a%20b/c.py?x=1", "/api/scripts/")).toBe("a b/c.py");
    expect(pathFromUrl("http://h/api/scripts/%252e%252e", "/api/scripts/")).toBe("%2e%2e");
    expect(pathFromUrl("http://h/api/scripts/%E0%A4%A", "/api/scripts/")).toBeNull();
  });
});
