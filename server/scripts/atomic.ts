// Atomic replacement of a file: a reader (or a step starting the script) sees
// the old content or the new one, and a crash at any moment leaves one of the
// two, never half a script.
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { TEMP_PREFIX } from "./paths.ts";

/** Writes `data` to `dir/name` with `mode`: temp file in the same directory, fsync, rename, fsync of the directory. */
export async function writeAtomic(dir: string, name: string, data: Uint8Array, mode: number): Promise<void> {
  const temp = join(dir, TEMP_PREFIX + randomBytes(8).toString("hex"));
  // O_EXCL|O_NOFOLLOW: never write through something planted under the temp name
  const file = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  let done = false;
  try {
    try {
      let off = 0;
      while (off < data.length) off += (await file.write(data, off, data.length - off)).bytesWritten;
      await file.chmod(mode); // the umask must not decide whether a script is executable
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, join(dir, name));
    done = true;
  } finally {
    if (!done) await unlink(temp).catch(() => {});
  }
  const d = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await d.sync(); // the rename itself survives a power loss
  } finally {
    await d.close();
  }
}
