import { existsSync, watch } from "node:fs";
import { dirname } from "node:path";

/**
 * Resolves once `path` exists, woken by the directory's change events (no
 * polling). Any event looks: Bun's fs.watch may report one of several changes
 * made within a millisecond (seen with nginx's access log), so the name an
 * event carries may be another file's.
 */
export function waitForFile(path: string): Promise<void> {
  return new Promise((resolve) => {
    if (existsSync(path)) return resolve();
    const watcher = watch(dirname(path), () => {
      if (existsSync(path)) {
        watcher.close();
        resolve();
      }
    });
    if (existsSync(path)) {
      watcher.close();
      resolve();
    }
  });
}
