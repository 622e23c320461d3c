// Syntax check of a Python source with python3's own parser. The source is
// parsed, never compiled to a file or run: `ast.parse` only builds a tree.
// `-I` (isolated) keeps the scripts directory and PYTHON* variables off
// sys.path, so a script named ast.py or json.py cannot take the checker's place.

export interface SyntaxProblem {
  line: number | null;
  message: string;
}

const CHECKER = `
import ast, json, sys
try:
    ast.parse(sys.stdin.buffer.read(), sys.argv[1])
except SyntaxError as e:
    print(json.dumps({"line": e.lineno, "message": e.msg}))
except (ValueError, RecursionError, MemoryError) as e:
    print(json.dumps({"line": None, "message": str(e) or type(e).__name__}))
`;

export interface CheckOptions {
  /** environment of the checker: its PATH finds python3 */
  env: Readonly<Record<string, string>>;
  timeoutMs?: number;
}

/** The first syntax error, null when the source parses, or when no verdict could be had (logged). */
export async function checkPython(source: Uint8Array, filename: string, { env, timeoutMs = 10_000 }: CheckOptions): Promise<SyntaxProblem | null> {
  const python = Bun.which("python3", { PATH: env.PATH ?? "" });
  if (!python) {
    console.error("lightflow: python syntax check skipped: python3 is not in PATH");
    return null;
  }
  const proc = Bun.spawn([python, "-I", "-c", CHECKER, filename], {
    cwd: "/",
    env: { ...env },
    stdin: source,
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
  });
  const [out, err, exit] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (exit !== 0) {
    const why = proc.signalCode ? `stopped by ${proc.signalCode} (timeout ${timeoutMs} ms?)` : `exit ${exit}: ${err.trim().split("\n").at(-1)}`;
    console.error(`lightflow: python syntax check of ${filename} gave no verdict (${why})`);
    return null;
  }
  if (!out.trim()) return null;
  const found = JSON.parse(out) as SyntaxProblem;
  return { line: typeof found.line === "number" ? found.line : null, message: String(found.message) };
}
