// What a process has used, from /proc (Linux only).
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
