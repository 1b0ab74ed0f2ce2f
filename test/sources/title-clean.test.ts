import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cleanTitle } from "../../src/sources/title-clean.js";

// Issue 10 audit: scraped forms that the cleaning missed. Each one was left in the query before.
describe("cleanTitle: track labels and the like", () => {
  const TITLE = "Capsule Networks";
  it.each([
    "(Short)",
    "(Poster Session)",
    "(WiP)",
    "(Doctoral Consortium)",
    "(Work in Progress)",
    "(Late-Breaking Results)",
    "(Brief Announcement)",
    "(Abridged)",
    "(Camera-Ready)",
    "(Camera Ready Version)",
    "(Technical Report)",
    "(Journal First)",
    "(Abstract Only)",
    "(Ext. Abstract)",
    "(Datasets and Benchmarks Track)",
    "(Applied Data Science Track)",
    "(Survey Track)",
    "(Oral; Top 1%)",
    "(Oral, Top 5%)",
    "(NIPS'17)",
    "(ICML'19)",
    "(ICML’19)",
    "[KDD 2021]",
    "(SIGMOD 2020)",
    "(Best Paper Award)",
    "(Outstanding Paper Honorable Mention)",
    "(Invited Talk)",
    "(Keynote)",
    "(Blue Sky Idea)",
    "(Full Version)",
    "[v2]",
    "{Extended Abstract}",
    ", Extended Abstract",
    "--- Extended Abstract",
    " -- Extended Abstract",
    "（Extended Abstract）",
    "【Oral】",
    "(arXiv:1706.03762)",
    "[arXiv:1706.03762v2]",
    "(arXiv preprint arXiv:1706.03762)",
  ])(`${TITLE} %s`, (label) => {
    expect(cleanTitle(`${TITLE}${/^[,\s]/u.test(label) ? "" : " "}${label}`)).toBe(TITLE);
  });

  it.each([
    ["[Oral] Capsule Networks", TITLE],
    ["Extended Abstract: Capsule Networks", TITLE],
    ["Attention Is All You Need* (Extended Abstract)", "Attention Is All You Need"],
    ["Attention Is All You Need*† (Extended Abstract)", "Attention Is All You Need"],
    ["Deep Nets&ast; [Oral]", "Deep Nets"],
    ["Deep Nets (Extended Abstract)* [Oral]†", "Deep Nets"],
    ["Deep Nets (*)", "Deep Nets"],
    ["Deep Nets[*]", "Deep Nets"],
    ["Deep Nets^*", "Deep Nets"],
    ["Deep Nets^†", "Deep Nets"],
    ["Deep Nets$^*$ (Extended Abstract)", "Deep Nets"],
    ["Deep Nets\\textsuperscript{\\dag}", "Deep Nets"],
  ])("%s → %s", (raw, clean) => {
    expect(cleanTitle(raw)).toBe(clean);
  });

  // Notices name another publication; "Extended Version" is the journal extension. They stay.
  it.each([
    "Capsule Networks [Erratum]",
    "Capsule Networks [Retracted]",
    "Capsule Networks (Retraction)",
    "Capsule Networks [Withdrawn]",
    "Capsule Networks [Book Review]",
    "Capsule Networks (Extended Version)",
    "Capsule Networks (Summary)",
    "Capsule Networks (Supplementary Material)",
    "Capsule Networks: Supplementary Material",
    "Capsule Networks (Reproducibility Paper)",
    "Capsule Networks (Or Is It?)",
    "Modeling the Spread of Coronavirus Disease (COVID-19)",
    "Graph Nets (2019)",
    "Routing in Networks (Part 2)",
  ])("keeps %s", (title) => {
    expect(cleanTitle(title)).toBe(title);
  });
});

describe("cleanTitle: markup", () => {
  it.each([
    ["Deep Learning<sup>1,2</sup>", "Deep Learning"],
    ["Gradient \\emph{Clipping}<sup>a</sup>", "Gradient Clipping"],
    ["On Imagery<sup>a</sup> --- Extended Abstract", "On Imagery"],
    ["Sparse Recovery for Vision<sup>a</sup>", "Sparse Recovery for Vision"],
    ["Sparse Recovery for Vision <sup>1</sup>", "Sparse Recovery for Vision"],
    ["Deep Learning<sup>†</sup> for Graphs", "Deep Learning for Graphs"],
    ["Sparse Recovery for Vision$^{a,b}$", "Sparse Recovery for Vision"],
    ["Sparse Recovery for Vision$^{a}$", "Sparse Recovery for Vision"],
    ["Sparse Recovery for Vision<sup>1,2</sup>&ast;", "Sparse Recovery for Vision"],
    ["Sparse Recovery for Vision$^{a,b}$‡", "Sparse Recovery for Vision"],
    ["Sparse Recovery for Vision<sup>1</sup> (Extended Abstract)", "Sparse Recovery for Vision"],
    ["Deep Learning<br>for Vision", "Deep Learning for Vision"],
    ["Deep Learning<br/>for Vision", "Deep Learning for Vision"],
    ['Deep Learning <img src="x.gif"/> for Vision', "Deep Learning for Vision"],
    ['Learning <inline-graphic xlink:href="a.gif"/> words', "Learning words"],
    ["Caf&eacute Networks", "Café Networks"],
    ["Na&#xef Bayes", "Naï Bayes"],
    ["Na&#239 Bayes", "Naï Bayes"],
    ["Vision &amp Language", "Vision & Language"],
    ["Learning &amp;amp;amp;amp; Reasoning", "Learning & Reasoning"],
    ["Learning &amp;amp;amp;#58; Reasoning", "Learning : Reasoning"],
    ["A \\textcolor{red}{red} title", "A red title"],
    ["A \\textcolor[rgb]{1,0,0}{red} title", "A red title"],
    ["A \\colorbox{yellow}{bright} title", "A bright title"],
    [
      '<mml:math><mml:semantics><mml:mi>μ</mml:mi><mml:annotation encoding="application/x-tex">\\mu</mml:annotation></mml:semantics></mml:math>Bench',
      "μBench",
    ],
  ])("%s → %s", (raw, clean) => {
    expect(cleanTitle(raw)).toBe(clean);
  });

  it.each([
    ["Parsing&parallelism and Search&notification", "Parsing&parallelism and Search&notification"],
    ["Learning in $\\mathbb{R}^n$", "Learning in Rn"],
    ["Learning in R<sup>n</sup>", "Learning in Rn"],
    ["Regularization in L²", "Regularization in L²"],
    ["An O(n<sup>2</sup>) Algorithm", "An O(n2) Algorithm"],
  ])("keeps what is not a mark: %s → %s", (raw, clean) => {
    expect(cleanTitle(raw)).toBe(clean);
  });

  it("keeps one rendering of a JATS formula (TeX, MathML and an image)", () => {
    const jats =
      '<inline-formula><tex-math notation="LaTeX">$\\mu$</tex-math><alternatives><mml:math><mml:mi>μ</mml:mi></mml:math><inline-graphic xlink:href="detti-ieq1-3236447.gif"/></alternatives></inline-formula>Bench: An Open-Source Factory';
    expect(cleanTitle(jats)).toBe("μBench: An Open-Source Factory");
    const alternatives =
      '<alternatives><mml:math><mml:mi>α</mml:mi></mml:math><inline-graphic xlink:href="a.gif"/></alternatives>-Nets';
    expect(cleanTitle(alternatives)).toBe("α-Nets");
  });

  const FIXTURE =
    "../shared/fixtures/extracted/danielnsilva-semanticscholar__test_search_paper_bulk_retrieval__0_s2_200.json";
  it.skipIf(!existsSync(FIXTURE))("cleans the real S2 title with JATS markup", () => {
    const data = JSON.parse(readFileSync(FIXTURE, "utf8")) as { data: { title?: string }[] };
    const jats = data.data.map((p) => p.title ?? "").filter((t) => t.includes("inline-graphic"));
    expect(jats.length).toBeGreaterThan(0);
    for (const title of jats) {
      const clean = cleanTitle(title);
      expect(clean).not.toMatch(/[<>]|μμ|gif/u);
      expect(clean).toMatch(/^μBench: /u);
    }
  });
});

// Review 11: the cleaning keeps what is content.
describe("cleanTitle: exponents, notices and entities stay", () => {
  it.each([
    ["Lower Bounds for TC<sup>0</sup>", "Lower Bounds for TC0"],
    ["Yield per cm<sup>2</sup>", "Yield per cm2"],
    ["Flat Tori<sup>n</sup>", "Flat Torin"],
    ["Sparse Recovery in $\\ell^p$", "Sparse Recovery in ℓp"],
    ["The Group $\\mathrm{GL}^{n}$", "The Group GLn"],
    ["ZnO$^{2}$ (Extended Abstract)", "ZnO2"],
    ["Rain per km²", "Rain per km²"],
    ["Deep Nets (Reproducibility Track)", "Deep Nets (Reproducibility Track)"],
    ["Deep Nets (Erratum Track)", "Deep Nets (Erratum Track)"],
    ["Deep Nets (Tutorial)", "Deep Nets (Tutorial)"],
    ["Rock, Paper", "Rock, Paper"],
    ["Concrete -- Abstract", "Concrete -- Abstract"],
    ["&not Good", "&not Good"],
    ["Copyright&copy Law", "Copyright&copy Law"],
    ["Macro&micro Models", "Macro&micro Models"],
    ["Caf&eacute Networks", "Café Networks"],
  ])("%o → %o", (raw, clean) => {
    expect(cleanTitle(raw)).toBe(clean);
  });
});
