import { readdirSync, readFileSync, readlinkSync } from "node:fs";

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

/** What a process's descriptors point at ("pipe:[123]", "/path", "anon_inode:[eventfd]", …). */
export function openFds(pid: number | "self" = "self"): string[] {
  return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
    } catch {
      return []; // closed while we looked
    }
  });
}

/**
 * The descriptors a leak would show: pipes, sockets and files. Bun's own
 * anonymous ones (pidfds of exited children, eventfds) come and go on its
 * schedule and are not ours to count.
 */
export const leakableFds = (pid: number | "self" = "self") => openFds(pid).filter((t) => !t.startsWith("anon_inode:")).sort();
