// Runs bin/cf.js in this process (same argv shape) and, on exit, writes the process's peak resident
// memory in kB to the file named by CF_PEAK_RSS_FILE: a child's peak memory, measured from inside.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  if (process.env.CF_PEAK_RSS_FILE) {
    writeFileSync(process.env.CF_PEAK_RSS_FILE, String(process.resourceUsage().maxRSS));
  }
});
await import("../../../bin/cf.js");
