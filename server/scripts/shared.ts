// The scripts directory on a cluster (README, "Scripts on several nodes"): a
// step that names ./backup.sh finds the same script on every node.
// - The editor's writes (save, delete, rename) change this node's directory,
//   then the database (store.ts), as one numbered change each, and the other
//   nodes hear the change's version and write it into their own directories.
// - Before a step starts, its node reads the version (one small read) and,
//   if it is behind, writes the changes it lacks first: a message still on its
//   way cannot make a step run an old script.
// - At a node's start, the database's scripts are written into its directory;
//   a database with none yet takes this node's files (the first node seeds it).
// Files put into a node's directory by other means stay that node's own. A
// change whose database write failed (503: the database unreachable) stays in
// this node's directory only; saving it again shares it.
// All writes to the directory go one at a time (`serial`), so a copy of an
// older change never lands after a newer one.
import { StoreUnavailable } from "../engine/stores.ts";
import { checkPath, type ScriptPath } from "./paths.ts";
import { MAX_SCRIPT_BYTES, modeFor, type ScriptEditor, type ScriptFiles } from "./service.ts";
import type { ScriptRow, ScriptStore } from "./store.ts";

const log = (msg: string) => console.log(`lightflow: ${msg}`);
const b64 = (data: Uint8Array) => Buffer.from(data).toString("base64");

export class SharedScripts implements ScriptEditor {
  /** the version this node's directory is at */
  private applied = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** said once per outage */
  private unavailable = false;

  constructor(
    private readonly files: ScriptFiles,
    private readonly store: ScriptStore,
    /** tells the other nodes (cluster/) */
    private readonly publish: (version: number) => void,
  ) {}

  /** `fn` after every write to the directory before it, and before any after it. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => {});
    return p;
  }

  // ---- the editor ------------------------------------------------------------------------

  // the editor on any node shows the newest change, wherever it was made
  list: ScriptFiles["list"] = async () => {
    await this.ready();
    return this.files.list();
  };
  read: ScriptFiles["read"] = async (path) => {
    await this.ready();
    return this.files.read(path);
  };

  save: ScriptFiles["save"] = (path, data) =>
    this.serial(async () => {
      const r = await this.files.save(path, data);
      if (typeof r !== "string") this.changed(this.store.save(path, b64(data), modeFor(path, data)));
      return r;
    });

  remove: ScriptFiles["remove"] = (path) =>
    this.serial(async () => {
      const r = await this.files.remove(path);
      if (r === true) this.changed(this.store.remove(path));
      return r;
    });

  rename: ScriptFiles["rename"] = (from, to) =>
    this.serial(async () => {
      const r = await this.files.rename(from, to);
      if (r === true) this.changed(this.store.rename(from, to));
      return r;
    });

  /** This node made change `v` (already in its directory): the others hear of it. */
  private changed(v: number | null): void {
    if (v === null) return;
    if (v === this.applied + 1) this.applied = v; // else changes of others came between: the next catch-up writes them
    this.publish(v);
  }

  // ---- the other nodes' changes ---------------------------------------------------------------

  /** At the start, before any step: the database's scripts into the directory, or this node's files into an empty database. */
  start(): Promise<void> {
    return this.serial(async () => {
      if (this.store.version() === 0) {
        const mine = await this.ownFiles();
        const v = mine.length ? this.store.seed(mine) : null;
        if (v !== null) {
          this.applied = v;
          log(`scripts: this node's ${mine.length} file(s) are now the cluster's scripts`);
          return;
        }
      }
      await this.write(true);
      log(`scripts: the scripts directory is at version ${this.applied} of the cluster's scripts`);
    });
  }

  /** Another node made change `version` (or messages were missed: null). */
  heard(version: number | null): void {
    if (version !== null && version <= this.applied) return;
    this.catchUp().catch((e) => {
      if (!(e instanceof StoreUnavailable)) console.error(`lightflow: scripts: copying the other nodes' changes failed: ${(e as Error).stack}`);
    });
  }

  /**
   * Before a step starts: null when the directory is up to date (the usual
   * case: one read), else the catch-up to wait for. The database unreachable:
   * the step runs with the files as they are (said once in the log).
   */
  ready(): Promise<void> | null {
    let v: number;
    try {
      v = this.store.version();
      this.unavailable = false;
    } catch (e) {
      if (!(e instanceof StoreUnavailable)) throw e;
      if (!this.unavailable) log("scripts: the database is unavailable; steps start with this node's copy of the scripts");
      this.unavailable = true;
      return null;
    }
    if (v <= this.applied) return null;
    return this.catchUp().catch((e) => {
      console.error(`lightflow: scripts: copying the other nodes' changes before a step failed; it starts with this node's copy: ${(e as Error).message}`);
    });
  }

  private catchUp(): Promise<void> {
    return this.serial(() => this.write(false));
  }

  /** Writes the changes this node lacks. `compare`: skip files that already hold the content (the start). */
  private async write(compare: boolean): Promise<void> {
    const rows = this.store.since(this.applied);
    for (const row of rows) await this.apply(row, compare);
    if (rows.length) this.applied = Math.max(this.applied, rows.at(-1)!.version);
  }

  private async apply(row: ScriptRow, compare: boolean): Promise<void> {
    const checked = checkPath(row.path);
    if ("problem" in checked) return log(`scripts: ${JSON.stringify(row.path)} from the database is not a usable path (${checked.problem}); skipped`);
    const path: ScriptPath = checked.path;
    if (row.content === null) {
      const r = await this.files.remove(path);
      if (r !== true && r !== "not_found") log(`scripts: could not delete ${path} as another node did (${r})`);
      return;
    }
    const data = new Uint8Array(Buffer.from(row.content, "base64"));
    if (compare) {
      const have = await this.files.readBytes(path);
      if (typeof have !== "string" && have.mode === (row.mode & 0o777) && Buffer.from(have.data).equals(data)) return;
    }
    const r = await this.files.save(path, data, { mode: row.mode, check: false });
    if (typeof r === "string") log(`scripts: could not write ${path} as another node saved it (${r})`);
  }

  /** This node's files, for a database that has none yet (each at most the editor's limit). */
  private async ownFiles(): Promise<{ path: string; content: string; mode: number }[]> {
    const out: { path: string; content: string; mode: number }[] = [];
    for (const e of await this.files.list()) {
      const checked = checkPath(e.path);
      if ("problem" in checked) continue;
      const r = await this.files.readBytes(checked.path);
      if (typeof r === "string") {
        log(`scripts: ${e.path} is not shared with the other nodes (${r === "too_large" ? `larger than ${MAX_SCRIPT_BYTES} bytes` : r})`);
        continue;
      }
      out.push({ path: e.path, content: b64(r.data), mode: r.mode });
    }
    return out;
  }
}
