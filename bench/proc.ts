// What a process has used, from /proc (Linux only).
import { readdir } from "node:fs/promises";
import { residentBytes } from "../test/chatloop-process";

/** Resident memory of a running process, in KiB. */
export const residentKiB = (pid: number) => residentBytes(pid) / 1024;

/** CPU time (user + system) a process has used so far, in ms. */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await Bun.file(`/proc/${pid}/stat`).text();
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 1/100 s
}

/**
 * CPU time used so far by every PostgreSQL process on this machine (the bench's database
 * server: its backends, WAL writer and checkpointer), in ms. Processes that end meanwhile take
 * their time with them, so compare two readings only across a stretch where the pool stays open.
 */
export async function postgresCpuMs(): Promise<number> {
  let total = 0;
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const comm = await Bun.file(`/proc/${pid}/comm`)
      .text()
      .catch(() => "");
    if (comm.trim() === "postgres") total += await cpuMs(Number(pid)).catch(() => 0);
  }
  return total;
}
