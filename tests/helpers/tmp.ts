// Temporary directories for tests. Each is removed by its test; whatever a test
// forgot, or a failure skipped, goes once every test file has run (the global
// afterAll in tests/helpers/cleanup.ts, preloaded by bunfig.toml).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

export function tempDir(prefix = "lightflow-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
