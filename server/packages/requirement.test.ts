import { describe, expect, test } from "bun:test";
import { packageNameProblem, requirementProblem } from "./requirement.ts";

describe("package requirements", () => {
  test("names, extras and version specifiers pass", () => {
    for (const r of ["requests", "requests==2.32.3", "Django>=4,<5", "pkg~=1.4.2", "a.b_c-d!=1.0", "requests[socks,security]>=2.0", "x===1.0+local", "numpy==1.*", "x"]) {
      expect(requirementProblem(r)).toBeNull();
    }
  });

  test("options, paths, URLs, markers and tricks are refused with a reason", () => {
    const cases: [string, RegExp][] = [
      ["--index-url=http://evil/simple", /options/],
      ["-e.", /options/],
      ["-rrequirements.txt", /options/],
      ["./pkg", /paths/],
      ["/tmp/pkg.whl", /paths/],
      ["..\\pkg", /paths/],
      ["pkg.whl", /archive/],
      ["pkg.tar.gz", /archive/],
      ["https://example.com/x.whl", /URLs/],
      ["pkg @ https://example.com/x.whl", /spaces|URLs/],
      ["pkg@https://example.com/x.whl", /URLs/],
      ["git+ssh://git@host/x", /URLs/],
      ["pkg;python_version<'3'", /markers/],
      ["requests --index-url x", /spaces/],
      ["requests\n--index-url=x", /one line/],
      ["requests\0", /NUL/],
      ["requests\t", /spaces/],
      ["", /required/],
      ["a".repeat(201), /200/],
      ["pkg[", /package name/],
      ["pkg==", /package name/],
      ["(pkg)", /package name/],
      ["pkg(>=1)", /package name/],
    ];
    for (const [r, why] of cases) expect(requirementProblem(r) ?? "").toMatch(why);
  });

  test("uninstall takes a bare name and never pip itself", () => {
    expect(packageNameProblem("lightflow-testpkg")).toBeNull();
    expect(packageNameProblem("requests==1")).toMatch(/without version/);
    expect(packageNameProblem("-y")).toMatch(/package name/);
    expect(packageNameProblem("PIP")).toMatch(/pip itself/);
  });
});
