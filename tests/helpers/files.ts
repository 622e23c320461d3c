import { existsSync, watch } from "node:fs";
import { basename, dirname } from "node:path";

/** Resolves once `path` exists, woken by the directory's change events (no polling). */
export function waitForFile(path: string): Promise<void> {
  return new Promise((resolve) => {
    if (existsSync(path)) return resolve();
    const watcher = watch(dirname(path), (_event, name) => {
      if ((name === null || name === basename(path)) && existsSync(path)) {
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
