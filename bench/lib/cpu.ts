/**
 * CPU time of processes on this machine, from /proc (Linux): what a benchmark's figure
 * cost, independent of what else shared the cores during the run.
 */
import fs from 'node:fs';
import { childPids } from '../../tools/processes/index.ts';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of one process in ms (0 when it has gone). */
export function processCpuMs(pid: number): number {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** CPU ms of a process and its direct children (a PostgreSQL postmaster and its backends). */
export function treeCpuMs(rootPid: number): number {
  return childPids(rootPid).reduce((sum, pid) => sum + processCpuMs(pid), processCpuMs(rootPid));
}

/** The postmaster's pid of a data directory. */
export function postmasterPid(dataDir: string): number {
  return Number(fs.readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
}

/** Counts CPU ms of several named parts between start() and stop(). Note: a child
 * backend that exits during the window takes its CPU with it (PostgreSQL backends of
 * a pool live for the whole run). */
export function cpuMeter(parts: Record<string, () => number>) {
  const at = () => Object.fromEntries(Object.entries(parts).map(([k, f]) => [k, f()]));
  let t0: Record<string, number> = {};
  return {
    start() {
      t0 = at();
    },
    stop(): Record<string, number> {
      const t1 = at();
      return Object.fromEntries(Object.keys(parts).map((k) => [k, (t1[k] ?? 0) - (t0[k] ?? 0)]));
    },
  };
}
