// Writes answers into a response cache as fast as it can, in transactions of GROUP entries whose
// keys name their group: `node cache-writer.mjs <file> <writer> <groups>` (0 groups: until killed).
// Used to test concurrent writers and a SIGKILL in the middle of a transaction.
import { ResponseCache } from "../../../dist/storage/response-cache.js";

const [file, writer, groupsArg] = process.argv.slice(2);
const groups = Number(groupsArg);
const GROUP = 50;
const cache = ResponseCache.open(file, { onWarning: (m) => process.stderr.write(`warning: ${m}\n`) });
for (let g = 0; groups === 0 || g < groups; g++) {
  const entries = [];
  for (let i = 0; i < GROUP; i++) {
    entries.push({
      source: "openalex",
      key: `doi:10.1/${writer}-${g}-${i}`,
      status: i % 5 === 0 ? "not_found" : "found",
      payload: { id: `W${g}${i}`, title: "x".repeat(200) },
      fetchedAt: new Date(),
    });
  }
  cache.putMany(entries);
  if (g === 0) process.stdout.write("started\n");
}
cache.close();
process.stdout.write("done\n");
