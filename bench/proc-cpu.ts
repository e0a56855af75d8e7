/**
 * CPU time of a process tree from Linux /proc, for benches that start whole stacks: each
 * process is named by its role (`peakwatch.js hub` → hub) so a figure says who spent it.
 */
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

interface ProcInfo {
  pid: number;
  ppid: number;
  /** user + system CPU, seconds. */
  cpu: number;
  /** The `peakwatch` subcommand it runs (hub, shop, probes, run…), else its executable. */
  role: string;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const script = argv.findIndex((a) => a.endsWith("peakwatch.js"));
    return {
      pid,
      ppid: Number(fields[1]),
      cpu: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
      role: script >= 0 ? (argv[script + 1] ?? "peakwatch") : (argv[0] ?? "?"),
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** `root` and every process below it, as they are now. */
export function processTree(root: number): ProcInfo[] {
  const all = new Map<number, ProcInfo>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProc(Number(entry));
    if (info) all.set(info.pid, info);
  }
  const tree: ProcInfo[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    const info = all.get(pid);
    if (!info) continue;
    tree.push(info);
    for (const child of all.values()) if (child.ppid === pid) pending.push(child.pid);
  }
  return tree;
}

/** CPU seconds of a tree in all and by role (a child process counts under its role's total). */
export function cpuSeconds(tree: ProcInfo[]): { total: number; byRole: Record<string, number> } {
  const byRole: Record<string, number> = {};
  let total = 0;
  for (const p of tree) {
    total += p.cpu;
    byRole[p.role] = (byRole[p.role] ?? 0) + p.cpu;
  }
  return { total, byRole };
}
