// One process's own resource figures: peak resident set (the kernel's maxrss) and CPU time.
export interface ProcessUsage {
  peakRssMb: number;
  rssMb: number;
  cpuMs: number;
}

export function processUsage(): ProcessUsage {
  const u = process.resourceUsage();
  return { peakRssMb: round(u.maxRSS / 1024), rssMb: round(process.memoryUsage().rss / 1048576), cpuMs: Math.round((u.userCPUTime + u.systemCPUTime) / 1000) };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
