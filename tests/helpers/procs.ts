import { readdirSync, readFileSync } from "node:fs";

/** pids of processes whose environment holds NAME=value */
export function processesWith(name: string, value: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      if (readFileSync(`/proc/${p}/environ`, "latin1").split("\0").includes(`${name}=${value}`)) out.push(Number(p));
    } catch {}
  }
  return out;
}

/** Zombie children of a process (state Z in /proc/<pid>/stat). */
export function zombiesOf(parent: number): number[] {
  const out: number[] = [];
  for (const p of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "latin1");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z" && Number(fields[1]) === parent) out.push(Number(p));
    } catch {}
  }
  return out;
}

export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "latin1");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

export const openFds = (pid: number | "self" = "self") => readdirSync(`/proc/${pid}/fd`).length;
