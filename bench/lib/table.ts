// The table: plain text for the terminal, Markdown for bench/README.md.
import type { Row } from "./types.ts";

const HEAD = ["#", "what", "figure", "baseline (same run)", "ratio", "target", "result"];
const cells = (r: Row) => [r.id, r.what, r.figure, r.baseline, r.ratio, r.target, r.verdict];

export function textTable(rows: Row[]): string {
  const all = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((c) => [...c[i]!].length)));
  const line = (c: string[]) => c.map((x, i) => x + " ".repeat(widths[i]! - [...x].length)).join("  ").trimEnd();
  return [line(HEAD), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map((r) => line(cells(r)))].join("\n");
}

export function markdownTable(rows: Row[]): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  return [
    `| ${HEAD.join(" | ")} |`,
    `|${HEAD.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${cells(r).map(esc).join(" | ")} |`),
  ].join("\n");
}

export function notes(rows: Row[]): string[] {
  return rows.filter((r) => r.note).map((r) => `${r.id}: ${r.note}`);
}
