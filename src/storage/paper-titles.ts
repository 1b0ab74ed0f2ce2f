import type { StorageFs } from "./fs.js";
import { HEAD, PAPERS_LINE } from "./papers-file.js";
import { readLines } from "./read-lines.js";

/**
 * The titles of some papers of a session's snapshot, streamed one line at a time in file (input)
 * order. The caller stops iterating as soon as it has what it needs, which closes the file: a
 * snapshot runs to hundreds of MB and is never read whole here. Only cf's one-paper-per-line layout
 * is read; another layout, a file that is not a regular file or a line that does not parse yields
 * nothing more (titles are a nicety, never worth an error).
 */

export interface PaperHead {
  paper_id: string;
  title: string | null;
}

/** Every `"paper_id":"…"` of a line: the top-level one is among them, so a line can be skipped unparsed. */
const PAPER_ID = /"paper_id":("(?:[^"\\]|\\.)*")/g;

export async function* paperTitles(
  fs: StorageFs,
  file: string,
  wanted: ReadonlySet<string>,
): AsyncGenerator<PaperHead> {
  const info = await fs.lstat(file).catch(() => undefined);
  if (!info?.isFile()) return; // a FIFO or device would block or never end
  const stream = fs.readStream(file);
  stream.on("error", () => {}); // reported through the iteration below
  const lines = readLines(stream);
  try {
    let lineNo = 0;
    for await (const line of lines) {
      lineNo += 1;
      if (lineNo === 1 && !line.startsWith(HEAD)) return;
      if (lineNo === 2 && line !== PAPERS_LINE) return;
      if (lineNo <= 2) continue;
      if (line === "]}") return;
      if (!mentionsWanted(line, wanted)) continue;
      const paper = parsePaperLine(line);
      if (paper === undefined) return;
      if (wanted.has(paper.paper_id)) yield paper;
    }
  } catch {
    return; // unreadable (EACCES, EIO, removed meanwhile): no titles
  } finally {
    await lines.return(undefined);
    stream.destroy();
  }
}

function mentionsWanted(line: string, wanted: ReadonlySet<string>): boolean {
  for (const match of line.matchAll(PAPER_ID)) {
    try {
      if (wanted.has(JSON.parse(match[1] as string) as string)) return true;
    } catch {
      // not a JSON string after all: look at the next one
    }
  }
  return false;
}

function parsePaperLine(line: string): PaperHead | undefined {
  try {
    const value: unknown = JSON.parse(line.endsWith(",") ? line.slice(0, -1) : line);
    if (value === null || typeof value !== "object") return undefined;
    const { paper_id, title } = value as { paper_id?: unknown; title?: unknown };
    if (typeof paper_id !== "string") return undefined;
    return { paper_id, title: typeof title === "string" ? title : null };
  } catch {
    return undefined;
  }
}
