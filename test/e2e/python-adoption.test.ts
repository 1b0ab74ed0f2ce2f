import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { comparableOutput, simFlags, simulatorFor, writeInput } from "../helpers/e2e.js";
import { dirDigest } from "../helpers/faults/damage.js";
import { runCli } from "../helpers/run-cli.js";
import { makePythonSession } from "../helpers/sessions.js";
import { testdir } from "../helpers/testdir.js";

/**
 * Issue 15: `cf consolidate --resume --session-id <python-id>` continues a Python tool's session in
 * a new cf session, through the binary against the simulator.
 */

const PYTHON_ID = "consolidate_20250719_201418_d9bb5987";

describe("continuing a Python tool's session", () => {
  it("takes over its records, looks up only what is left, leaves its files unchanged; a second --resume goes to the cf session", async () => {
    const dir = await testdir();
    const input = await writeInput(dir, 40);
    const sim = await simulatorFor();
    const flags = simFlags(sim, 200);
    // What an uninterrupted cf run writes, and (OpenAlex alone) the records the Python tool had.
    const whole = await runCli(
      ["consolidate", "--input", input, "--output", "whole.json", "--no-cache", ...flags],
      {
        cwd: dir,
      },
    );
    expect(whole.code, whole.stderr).toBe(0);
    const oaOnly = await runCli(
      [
        "consolidate",
        "--input",
        input,
        "--output",
        "oa.json",
        "--no-cache",
        "--yes",
        "--sources",
        "openalex",
        ...flags,
      ],
      { cwd: dir },
    );
    expect(oaOnly.code, oaOnly.stderr).toBe(0);
    const oaPapers = JSON.parse(await readFile(path.join(dir, "oa.json"), "utf8")).papers as Array<
      Record<string, unknown>
    >;
    const inputPapers = JSON.parse(await readFile(input, "utf8")).papers as Array<Record<string, unknown>>;
    // The Python session: OpenAlex done for the first 25 papers, nothing for the rest (indented file).
    const base = path.join(dir, ".cf_state", "consolidate");
    const pyDir = await makePythonSession(base, PYTHON_ID, [25, 0], 40);
    const saved = [...oaPapers.slice(0, 25), ...inputPapers.slice(25)];
    await writeFile(
      path.join(pyDir, "papers_enriched.json"),
      JSON.stringify({ metadata: { total_papers: 40 }, papers: saved }, null, 2),
    );
    const before = await dirDigest(pyDir);

    const resumePython = (output: string) =>
      runCli(
        [
          ...["consolidate", "--input", input, "--output", output, "--no-cache"],
          ...["--resume", "--session-id", PYTHON_ID],
          ...flags,
        ],
        { cwd: dir },
      );
    const from = sim.requestLog.length;
    const adopted = await resumePython("adopted.json");
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(adopted.stderr).toContain(`Continuing the Python tool's session ${PYTHON_ID}`);
    expect(adopted.stderr).toMatch(/done per source: openalex 25\/40, semantic_scholar 0\/40/);
    // The output equals the uninterrupted run's (apart from timestamps): nothing duplicated, nothing lost.
    expect(await comparableOutput(path.join(dir, "adopted.json"))).toBe(
      await comparableOutput(path.join(dir, "whole.json")),
    );
    // The Python tool's records are kept as they were (their timestamps), not fetched again.
    const out = JSON.parse(await readFile(path.join(dir, "adopted.json"), "utf8")).papers as Array<{
      citations: Array<{ source: string; timestamp: string }>;
    }>;
    const oaCitations = (i: number) => out[i]!.citations.filter((c) => c.source === "openalex");
    const pyCitations = (i: number) =>
      (oaPapers[i]!.citations as Array<{ source: string; timestamp: string }>).filter(
        (c) => c.source === "openalex",
      );
    for (let i = 0; i < 25; i++) expect(oaCitations(i)).toEqual(pyCitations(i));
    // OpenAlex asked only for the 15 papers the Python tool had not done: fewer requests than a whole run.
    const oaRequests = sim.requestLog.slice(from).filter((e) => e.api === "openalex").length;
    const oaWhole = (
      JSON.parse(await readFile(path.join(dir, "whole.json"), "utf8")) as {
        consolidation_metadata: { stats: { sources: { openalex: { api_calls: number } } } };
      }
    ).consolidation_metadata.stats.sources.openalex.api_calls;
    expect(oaRequests).toBeLessThan(oaWhole);
    expect(await dirDigest(pyDir)).toEqual(before);

    // The cf session names its origin; the next --resume of the Python id goes to it.
    const list = JSON.parse(
      (await runCli(["consolidate-sessions", "list", "--all", "--json"], { cwd: dir })).stdout,
    ) as Array<{
      session_id: string;
      format: string;
      adopted_from?: string;
      adopted_by?: string;
    }>;
    const cf = list.find((s) => s.adopted_from === PYTHON_ID);
    expect(cf?.format).toBe("cf");
    expect(list.find((s) => s.session_id === PYTHON_ID)?.adopted_by).toBe(cf?.session_id);
    const sessionsBefore = (await readdir(base)).length;
    const again = await resumePython("again.json");
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain("Continuing the Python tool's session");
    expect((await readdir(base)).length).toBe(sessionsBefore);
    expect(await dirDigest(pyDir)).toEqual(before);
  });
});
