// What a cluster keeps of the scripts directory in the database (shared.ts):
// a row per file the editor wrote, its bytes as base64, and one version
// counter that every change moves by one. db/scripts.ts implements it.

export interface ScriptRow {
  path: string;
  /** base64; null: the file was deleted */
  content: string | null;
  mode: number;
  /** the counter's value when the row last changed */
  version: number;
}

export interface ScriptStore {
  /** the counter: the version of the newest change (0: nothing shared yet) */
  version(): number;
  /** the rows changed after version `after`, oldest change first */
  since(after: number): ScriptRow[];
  /** a file's new content, as one change; its version */
  save(path: string, content: string, mode: number): number;
  /** the file at `path` is gone, as one change; its version, or null when the store held no such file */
  remove(path: string): number | null;
  /** `from` (a file, or every file below a directory) is now `to`, as one change; null when the store held nothing there */
  rename(from: string, to: string): number | null;
  /** the first node's files as version 1; null (nothing written) when the store holds any change already */
  seed(files: { path: string; content: string; mode: number }[]): number | null;
}
