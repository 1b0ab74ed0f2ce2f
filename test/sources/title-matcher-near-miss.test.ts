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
