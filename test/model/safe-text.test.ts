import { describe, expect, it } from "vitest";
import { loadColors } from "../../src/cli/render/colors.js";
import { safeJson, safeLines, safeStyled, safeText } from "../../src/model/safe-text.js";

describe("safeText", () => {
  it("escapes C0, DEL, C1, bidi controls, separators and the BOM; leaves the rest", () => {
    expect(safeText("a\u001b[2Jb\rc\nd\te\u0000f")).toBe("a\\x1b[2Jb\\rc\\nd\\te\\x00f");
    expect(safeText("\u007f\u0085\u009b")).toBe("\\x7f\\x85\\x9b");
    expect(safeText("x\u202ey\u2066z\u2069\u202a\u200f\u2028\ufeff")).toBe(
      "x\\u202ey\\u2066z\\u2069\\u202a\\u200f\\u2028\\ufeff",
    );
    expect(safeText("Résumé — 深度学习 ∑ 🙂 \\x1b")).toBe("Résumé — 深度学习 ∑ 🙂 \\x1b");
  });

  it("is idempotent", () => {
    const once = safeText("a\u001bb\u202e");
    expect(safeText(once)).toBe(once);
  });

  it("safeLines keeps newlines, safeStyled keeps cf's own colours", async () => {
    expect(safeLines("one\u001b\ntwo\r")).toBe("one\\x1b\ntwo\\r");
    const color = await loadColors(1);
    const line = color.red(`stopped: x\u001b[31my\u001b]0;title\u0007`);
    expect(safeStyled(line)).toBe(color.red("stopped: x\u001b[31my\\x1b]0;title\\x07"));
    expect(safeStyled("\u001b[2Jwipe")).toBe("\\x1b[2Jwipe");
  });

  it("safeJson escapes what JSON.stringify leaves raw, and parses back to the same value", () => {
    const value = { t: "a\u202eb\u0085c\u001b" };
    const json = safeJson(JSON.stringify(value));
    expect(json).toBe('{"t":"a\\u202eb\\u0085c\\u001b"}');
    expect(JSON.parse(json)).toEqual(value);
  });
});
