import { describe, expect, it } from "vitest";
import { sourceLabel } from "../../../src/cli/render/source-labels.js";

describe("sourceLabel", () => {
  it("names known sources, keeps unknown ids, and reads a cache name for another address", () => {
    expect(sourceLabel("semantic_scholar")).toBe("Semantic Scholar");
    expect(sourceLabel("crossref")).toBe("crossref");
    expect(sourceLabel("openalex@http://127.0.0.1:8080/openalex")).toBe(
      "OpenAlex at http://127.0.0.1:8080/openalex",
    );
    expect(sourceLabel("crossref@http://x")).toBe("crossref@http://x");
  });
});
