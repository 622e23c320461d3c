// One row of the table, and what every benchmark receives.
import type { Gate } from "./gate.ts";

export type Verdict = "pass" | "MISS" | "n/a" | "error";

export interface Row {
  id: string;
  what: string;
  figure: string;
  baseline: string;
  ratio: string;
  target: string;
  verdict: Verdict;
  /** how it was measured, and what to know about the figure */
  note?: string;
}

export interface Ctx {
  quick: boolean;
  gate: Gate;
  /** progress on stderr */
  log(msg: string): void;
}

export type Bench = (ctx: Ctx) => Promise<Row[]>;

export const verdict = (ok: boolean): Verdict => (ok ? "pass" : "MISS");
export const ratio = (a: number, b: number) => (Number.isFinite(a / b) && b !== 0 ? `${(a / b).toFixed(2)}×` : "—");

/** A benchmark that runs beside the others (P1, P7): `ready` once its quiet windows are reserved. */
export interface Background {
  ready: Promise<void>;
  /** never rejects: a failure comes back as error rows */
  done: Promise<Row[]>;
}

export const errorRows = (ids: string[], e: unknown): Row[] =>
  ids.map((id) => ({ id, what: "", figure: "error", baseline: "—", ratio: "—", target: "", verdict: "error", note: (e as Error).stack ?? String(e) }));
