import { describe, expect, it } from "vitest";
import { loadColors, PLAIN_COLORS } from "../../../src/cli/render/colors.js";

describe("colors", () => {
  it("level 0 leaves text plain", () => {
    const c = PLAIN_COLORS;
    expect([c.dim("a"), c.red("b"), c.green("c"), c.yellow("d"), c.cyan("e")]).toEqual([
      "a",
      "b",
      "c",
      "d",
      "e",
    ]);
    expect(c.level).toBe(0);
  });

  it("wraps text in ANSI styles (chalk) and reopens a style closed by nested text", async () => {
    const c = await loadColors(1);
    expect(c.red("x")).toBe("\u001b[31mx\u001b[39m");
    expect(c.dim("x")).toBe("\u001b[2mx\u001b[22m");
    expect(c.red(`a ${c.green("b")} c`)).toBe("\u001b[31ma \u001b[32mb\u001b[39m\u001b[31m c\u001b[39m");
  });

  it("level 0 needs no chalk: the plain styles", async () => {
    expect(await loadColors(0)).toBe(PLAIN_COLORS);
  });
});
