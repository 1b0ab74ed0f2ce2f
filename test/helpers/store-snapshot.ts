import { writeFileAtomic } from "../../src/storage/atomic-write.js";
import { nodeStorageFs } from "../../src/storage/fs.js";
import type { PaperStore } from "../../src/storage/paper-store.js";
import { papersFileChunks } from "../../src/storage/papers-file.js";

/** Write the store's papers file (as SnapshotWriter does); its lines' offsets and lengths. */
export async function writeStoreSnapshot(
  store: PaperStore,
  file: string,
  generation: number,
): Promise<{ offsets: number[]; lengths: number[] }> {
  const offsets: number[] = [];
  const lengths: number[] = [];
  const meta = { total_papers: store.size, unique_paper_ids: store.size, saved_at: "t", generation };
  await writeFileAtomic(
    nodeStorageFs,
    file,
    papersFileChunks({ ...meta, tally: { ...store.tally } }, store.lines(), (offset, length) => {
      offsets.push(offset);
      lengths.push(length);
    }),
  );
  return { offsets, lengths };
}
