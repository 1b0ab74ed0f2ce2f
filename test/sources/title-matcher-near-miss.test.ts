import { describe, expect, it } from "vitest";
import {
  compareTitles,
  isSameTitle,
  normalizeTitle,
  type TitleCandidate,
} from "../../src/sources/title-matcher.js";

const t = (title: string): TitleCandidate => ({ title });
const AIAYN = "Attention Is All You Need";
const RESNET = "Deep Residual Learning for Image Recognition";

// Issue 10 audit: each pair names two different works and was accepted before.
describe("compareTitles: a title and a publication about it are two works", () => {
  it.each([
    [AIAYN, `${AIAYN}: A Survey`],
    [AIAYN, `${AIAYN}: A Review`],
    [AIAYN, `${AIAYN}: A Tutorial`],
    [AIAYN, `${AIAYN}: An Overview`],
    [AIAYN, `${AIAYN}: A Primer`],
    [AIAYN, `${AIAYN}: Part II`],
    [AIAYN, `${AIAYN}, Vol. III`],
    [AIAYN, `${AIAYN}: Really?`],
    [AIAYN, `${AIAYN} (Or Is It?)`],
    [AIAYN, `${AIAYN}: A Critique`],
    [AIAYN, `${AIAYN} Reloaded`],
    [AIAYN, `${AIAYN} Redux`],
    ["Graph Attention Networks", "Graph Attention Networks: A Survey"],
    ["Graph Attention Networks", "Graph Attention Networks: Theory"],
    [RESNET, `Review: ${RESNET}`],
    [RESNET, `Book Review: ${RESNET}`],
    [RESNET, `Comments on: ${RESNET}`],
    [RESNET, `Retraction Note: ${RESNET}`],
    [RESNET, `Erratum to: ${RESNET}`],
    [RESNET, `${RESNET}: Supplementary Material`],
    [RESNET, `Appendix: ${RESNET}`],
    [RESNET, `${RESNET}: An Extended Version for Journal Readers`],
    [RESNET, `${RESNET}: A Survey of Residual Networks Today`],
    [RESNET, `${RESNET}: Reply to the Comments of Smith`],
    [RESNET, `${RESNET} [Erratum]`],
    [RESNET, `${RESNET} [Retracted]`],
    [RESNET, `${RESNET} (Retraction)`],
    [RESNET, `${RESNET} [Withdrawn]`],
    [RESNET, `${RESNET} (Withdrawn)`],
    [RESNET, `${RESNET} [Book Review]`],
    [RESNET, `${RESNET} (Extended Version)`],
    ["Deep Residual Learning", "Deep Residual Learning: Image Recognition"],
    // Question forms and words in another order.
    [AIAYN, "Is Attention All You Need?"],
    [AIAYN, "Is Attention All You Need"],
    ["Transformers are RNNs", "Are Transformers RNNs?"],
    ["Transformers are RNNs", "RNNs are Transformers"],
    ["Deep Networks Can Learn Anything", "Can Deep Networks Learn Anything"],
    ["Learning Graphs from Text", "Learning Text from Graphs"],
    ["Private Learning with Public Data", "Public Learning with Private Data"],
    [
      "Kubernetes Cluster for Automating Software Production",
      "Kubernetes for Cluster Automating Software Production",
    ],
    ["A Comparative Study of Spark on Kubernetes", "Comparative A Study of Spark on Kubernetes"],
    [
      "MDED-Framework: A Distributed Deep-Learning Framework",
      "A MDED-Framework: Distributed Deep-Learning Framework",
    ],
    // Repeated words: the titles are word multisets, not sets.
    [
      "Code Comments: A Way of Identifying Similarities in the Source Code",
      "Comments: A Way of Identifying Similarities in the Source Code",
    ],
    [
      "Deep Voda: A Scheduler for Elastic Deep Learning Jobs",
      "Voda: A Scheduler for Elastic Deep Learning Jobs",
    ],
    ["Learning to Learn by Gradient Descent by Gradient Descent", "Learning to Learn by Gradient Descent"],
    ["Neural Networks of Neural Networks for Graphs", "Neural Networks for Graphs"],
    ["Deep Learning for Deep Reinforcement Learning", "Deep Learning for Reinforcement Learning"],
    // A word prefixed ("Towards X" is not X).
    [
      "Diktyo: Network-Aware Scheduling in Container-Based Clouds",
      "Towards Diktyo: Network-Aware Scheduling in Container-Based Clouds",
    ],
  ])("%s / %s", (a, b) => {
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      const r = compareTitles({ title: x, year: 2020 }, { title: y, year: 2020 });
      expect(["exact", "high_confidence"]).not.toContain(r.type);
      expect(isSameTitle(x, y)).toBe(false);
    }
  });

  it("a notice in brackets keeps the titles different", () => {
    for (const notice of ["[Erratum]", "[Retracted]", "[Withdrawn]", "[Book Review]", "(Corrigendum)"]) {
      expect(normalizeTitle(`${RESNET} ${notice}`)).not.toBe(normalizeTitle(RESNET));
    }
  });
});

describe("compareTitles: the same work stays accepted", () => {
  it.each([
    // A real subtitle: three content words or more, nothing naming another publication.
    [
      "Effect of native oxide layers on copper thin-film tensile properties",
      "Effect of native oxide layers on copper thin-film tensile properties: A reactive molecular dynamics study",
    ],
    // A word written as two is one word, also in a plural.
    [
      "Data Set Distillation for Vision Transformers at Scale",
      "Dataset Distillation for Vision Transformer at Scale",
    ],
    // Greek letters spelt out or written as symbols.
    ["$\\beta$-VAE: Learning Basic Visual Concepts", "beta-VAE: Learning Basic Visual Concepts"],
    ["$\\alpha$-Divergence Variational Inference", "Alpha-Divergence Variational Inference"],
    ["$\\epsilon$-Greedy Exploration Methods", "ϵ-Greedy Exploration Methods"],
    ["$\\epsilon$-Greedy Exploration Methods", "Epsilon-Greedy Exploration Methods"],
    ["$\\pi$-Net: Polynomial Networks", "Π-Net: Polynomial Networks"],
    ["μBench: A Factory of Microservice Benchmarks", "MuBench: A Factory of Microservice Benchmarks"],
    [
      '<inline-formula><tex-math notation="LaTeX">$\\mu$</tex-math><alternatives><mml:math><mml:mi>μ</mml:mi></mml:math><inline-graphic xlink:href="x.gif"/></alternatives></inline-formula>Bench: An Open-Source Factory of Benchmark Microservice Applications',
      "μBench: An Open-Source Factory of Benchmark Microservice Applications",
    ],
  ])("%s / %s", (a, b) => {
    expect(isSameTitle(t(a), t(b))).toBe(true);
    expect(isSameTitle(t(b), t(a))).toBe(true);
  });

  it("a Greek word is left alone", () => {
    expect(normalizeTitle("Μηχανική μάθηση")).toBe("μηχανική μάθηση");
    expect(normalizeTitle("β-VAE")).toBe("beta vae");
  });
});

// Review 11: each pair names two different works and was accepted (exact or high) before.
describe("compareTitles: labels, exponents, notices and separators that tell works apart", () => {
  it.each([
    // Numbers, years and versions in dropped labels.
    ["Graph Learning Challenge (Track 1)", "Graph Learning Challenge (Track 2)", 2020, 2020],
    ["Overview of the Shared Task (SemEval-2019)", "Overview of the Shared Task (SemEval-2020)", 2019, 2020],
    ["Overview of the Shared Task (SemEval-2019)", "Overview of the Shared Task", 2019, 2019],
    ["Quantum Gravity (NeurIPS'19)", "Quantum Gravity (NeurIPS'20)", 2020, 2020],
    ["Dark Matter Search (Results 2019)", "Dark Matter Search (Results 2020)", 2020, 2020],
    ["Deep Nets (v2)", "Deep Nets (v3)", 2020, 2020],
    ["Big Graph Dataset (V2)", "Big Graph Dataset", 2020, 2020],
    ["Learning Graphs (Session 3)", "Learning Graphs (Session 4)", 2020, 2020],
    ["Learning Graphs (Talk 1)", "Learning Graphs", 2020, 2020],
    ["Learning Graphs (Oral 2)", "Learning Graphs (Oral 3)", 2020, 2020],
    ["Learning Graphs: Paper 2", "Learning Graphs", 2020, 2020],
    // Exponents are content, not footnote marks.
    ["Sparse Recovery in $\\ell^p$", "Sparse Recovery in $\\ell^q$", 2020, 2020],
    ["Bounds in $\\mathrm{BMO}^{p}$", "Bounds in $\\mathrm{BMO}^{q}$", 2020, 2020],
    ["The Group $\\mathrm{GL}^{n}$", "The Group $\\mathrm{GL}^{m}$", 2020, 2020],
    ["Geometry of $\\mathbb{CP}^n$", "Geometry of $\\mathbb{CP}$", 2020, 2020],
    ["Lower Bounds for TC<sup>0</sup>", "Lower Bounds for TC<sup>1</sup>", 2020, 2020],
    ["Graphs on CP<sup>2</sup>", "Graphs on CP<sup>3</sup>", 2020, 2020],
    ["Yield per cm<sup>2</sup>", "Yield per cm<sup>3</sup>", 2020, 2020],
    ["Flat Tori<sup>n</sup>", "Flat Tori", 2020, 2020],
    ["ZnO$^{2}$ (Extended Abstract)", "ZnO (Extended Abstract)", 2020, 2020],
    ["Circuits in AC$^0$", "Circuits in AC$^1$", 2020, 2020],
    ["Rain per km²", "Rain per km³", 2020, 2020],
    ["Spaces $\\ell^1$", "Spaces $\\ell^2$", 2020, 2020],
    // A notice wins over "Track" or "Session".
    [
      "Graph Neural Networks for Drug Discovery (Erratum Track)",
      "Graph Neural Networks for Drug Discovery",
      2020,
      2020,
    ],
    [
      "Graph Neural Networks for Drug Discovery (Retraction Session)",
      "Graph Neural Networks for Drug Discovery",
      2020,
      2020,
    ],
    [
      "Graph Neural Networks for Drug Discovery (Reproducibility Track)",
      "Graph Neural Networks for Drug Discovery",
      2020,
      2020,
    ],
    // A comma or a double dash does not make a title word a label.
    ["Rock, Paper", "Rock", 2020, 2020],
    ["Concrete, Abstract", "Concrete", 2020, 2020],
    ["Network Study, Paper", "Network Study", 2020, 2020],
    ["Network Study -- Paper", "Network Study", 2020, 2020],
    // Entities without their semicolon that are not letters.
    ["&not Good Enough", "Good Enough", 2020, 2020],
    // Names of their own, articles and first letters.
    ["Programming in C++", "Programming in C", 2020, 2020],
    ["Programming in C#", "Programming in C", 2020, 2020],
    ["Programming in F#", "Programming in F", 2020, 2020],
    ["Fast k-Means++", "Fast k-Means", 2020, 2020],
    ["A Symmetric Encryption Scheme", "Asymmetric Encryption Scheme", 2020, 2020],
    ["Macroeconomics of Growth", "Microeconomics of Growth", 2020, 2020],
    // Other publications about a work.
    ["Deep Residual Learning (Tutorial)", "Deep Residual Learning", 2020, 2020],
    ["Deep Residual Learning (Highlights)", "Deep Residual Learning", 2020, 2020],
    ["Deep Residual Learning (Workshop Report)", "Deep Residual Learning", 2020, 2020],
    [`${RESNET}: Ten Years Later`, RESNET, 2020, 2020],
    [`${RESNET} - Why Does It Work`, RESNET, 2020, 2020],
    [`${RESNET}: Interview with the Authors`, RESNET, 2020, 2020],
    [`${RESNET}: The Journal Version Paper`, RESNET, 2020, 2020],
  ])("%o is not %o", (a, b, y1, y2) => {
    expect(isSameTitle({ title: a, year: y1 }, { title: b, year: y2 })).toBe(false);
    expect(isSameTitle({ title: b, year: y2 }, { title: a, year: y1 })).toBe(false);
  });

  it.each([
    ["Deep Nets (ICML 2019)", "Deep Nets"],
    ["Deep Nets (NIPS'17)", "Deep Nets"],
    ["Deep Nets (Oral; Top 1%)", "Deep Nets"],
    ["Deep Nets, Extended Abstract", "Deep Nets"],
    ["Deep Nets --- Extended Abstract", "Deep Nets"],
    ["Deep Learning<sup>1,2</sup>", "Deep Learning"],
    ["Sparse Recovery for Vision$^{a,b}$", "Sparse Recovery for Vision"],
    ["Neural Networks¹", "Neural Networks"],
    ["Caf&eacute Networks", "Café Networks"],
  ])("%o is still %o", (a, b) => {
    expect(compareTitles(t(a), t(b)).type).toBe("exact");
  });
});
