/** Word lists of the synthetic corpus: ML title parts, people, places and venues (all invented). */

const list = (text: string): string[] => text.split("|").map((s) => s.replace(/\s+/g, " ").trim());

/** Parts of model names such as "GraphFormer". */
export const NAME_PREFIXES: readonly string[] = list(`
Graph | Flash | Sparse | Meta | Deep | Hyper | Quant | Fusion | Vision | Token | Prompt | Diff |
Neuro | Causal | Mono | Poly | Astra | Lumen | Vector | Kernel | Echo | Nova | Orbit | Pixel |
Syn | Tensor | Atlas | Bayes | Chrono | Delta
`);

/** Second halves of model names. */
export const NAME_SUFFIXES: readonly string[] = list(`
Former | Net | Mix | GAN | Flow | BERT | Diffuser | Mamba | Seg | Rec | Match | Tune | Prop |
Nav | Gen | Fuse | Scope | Lens | Path | Bench
`);

/** Adjectives of ML titles. */
export const ADJECTIVES: readonly string[] = list(`
Efficient | Scalable | Robust | Self-Supervised | Contrastive | Hierarchical | Adaptive |
Probabilistic | Differentiable | Interpretable | Federated | Multimodal | Lightweight |
Generalizable | Equivariant | Sparse | Continual | Few-Shot | Zero-Shot | Unsupervised | Causal |
Bayesian | Structured | Memory-Efficient | Calibrated | Compositional | Hybrid | Modular |
Recurrent | Geometric
`);

/** Model families. */
export const MODELS: readonly string[] = list(`
Transformers | Graph Neural Networks | Diffusion Models | Language Models | Vision Transformers |
Autoencoders | Normalizing Flows | State Space Models | Mixture of Experts | Neural Fields |
Convolutional Networks | Policy Networks | Energy-Based Models | Gaussian Processes |
Retrieval Models | Reward Models | Recurrent Networks | Neural Operators | Capsule Networks |
World Models | Variational Encoders | Spiking Networks | Kernel Machines | Decision Transformers |
Point Cloud Networks | Hypernetworks | Embedding Models | Attention Mechanisms | Tokenizers |
Text Encoders
`);

/** Tasks. */
export const TASKS: readonly string[] = list(`
Image Classification | Semantic Segmentation | Object Detection | Machine Translation |
Question Answering | Time Series Forecasting | Molecular Property Prediction | Code Generation |
Speech Recognition | Anomaly Detection | Recommendation | Link Prediction | Video Understanding |
Protein Structure Prediction | Offline Reinforcement Learning | Text Summarization |
Depth Estimation | Domain Adaptation | Active Learning | Program Synthesis | Image Generation |
Visual Reasoning | Entity Linking | Weather Prediction | Motion Planning | Tabular Learning |
Out-of-Distribution Detection | Knowledge Distillation | Neural Architecture Search |
Graph Matching | Dialogue Systems | Music Generation | Medical Image Analysis |
Fact Verification | Trajectory Prediction | Sentiment Analysis | Scene Reconstruction |
Causal Discovery | Data Augmentation | Hyperparameter Optimization
`);

/** Techniques. */
export const TECHNIQUES: readonly string[] = list(`
Contrastive Pretraining | Low-Rank Adaptation | Curriculum Learning | Knowledge Graphs |
Optimal Transport | Reinforcement Learning from Feedback | Weight Averaging | Pruning |
Quantization | Data Selection | Chain-of-Thought Prompting | Test-Time Adaptation |
Masked Modeling | Score Matching | Meta-Learning | Adversarial Training | Label Smoothing |
Dropout Scheduling | Spectral Normalization | Gradient Clipping | Synthetic Data |
Retrieval Augmentation | Mixup | Distillation | Sharpness-Aware Minimization |
Preference Optimization | Instruction Tuning | Token Merging | Early Exiting |
Implicit Regularization
`);

/** Settings. */
export const SETTINGS: readonly string[] = list(`
Low-Resource Languages | Edge Devices | Noisy Labels | Long Contexts | Open-World Environments |
Medical Imaging | Autonomous Driving | Scientific Discovery | Robotics | Non-Stationary Streams |
Private Data | Large-Scale Pretraining | Imbalanced Datasets | Multi-Agent Systems |
Partial Observability | Heterogeneous Graphs | Satellite Imagery | Financial Markets |
Climate Modeling | Sparse Rewards
`);

/** Properties studied in "On the ... of ..." titles. */
export const PROPERTIES: readonly string[] = list(`
Convergence | Generalization | Expressivity | Robustness | Calibration | Sample Complexity |
Implicit Bias | Stability | Scaling Behavior | Identifiability | Memorization | Transferability
`);

/** Verbs opening titles. */
export const VERBS: readonly string[] = list(`
Learning | Scaling | Improving | Accelerating | Rethinking | Benchmarking | Understanding |
Compressing | Explaining | Revisiting | Unifying | Stabilizing | Evaluating | Training |
Steering
`);

/** Given names of corpus authors. */
export const FIRST_NAMES: readonly string[] = list(`
Ada | Alan | Amara | Anika | Arjun | Beatriz | Boris | Carla | Chen | Daniel | Dario | Elena |
Emeka | Fatima | Felix | Grace | Hana | Hiroshi | Ibrahim | Ines | Jakob | Jia | Jonas | Julia |
Kai | Kavya | Lars | Leila | Lucas | Maya | Mateo | Mei | Mikhail | Nadia | Noah | Olga | Omar |
Paula | Priya | Rafael | Rina | Samuel | Sara | Tariq | Tomas | Uma | Victor | Wei | Yara |
Yusuf | Zoe | Aiko | Bruno | Clara | Diego | Eva | Farid | Greta | Hugo | Ivan | Jun | Katya |
Liam | Marta | Nikolai | Oscar | Pedro | Qiang | Rosa | Sven
`);

/** Family names of corpus authors. */
export const LAST_NAMES: readonly string[] = list(`
Abara | Bellweather | Castellano | Dunmore | Eriksen | Falconer | Garnier | Halvorsen | Ishikawa |
Jovanovic | Kowalczyk | Lindqvist | Marchetti | Nakamura | Okonkwo | Petrakis | Quintero |
Rasmussen | Sandoval | Tanaka | Umarov | Valdivia | Whitcombe | Xiong | Yamada | Zelenko |
Achterberg | Brandvold | Cardoso | Delacroix | Esposito | Fairbanks | Grimaldi | Hartmann |
Iwasaki | Jaramillo | Kaminski | Lombardi | Moreau | Novak | Oyelaran | Pellegrini | Rahimi |
Sorensen | Takahashi | Ulrich | Vasquez | Wojcik | Yilmaz | Zhukov | Almeida | Bergstrom |
Chowdhury | Dragomir | Engstrom | Ferreira | Gustafsson | Haddad | Ivanova | Kuznetsov | Laurent |
Mendoza | Nilsson | Ortega | Pham | Rossi | Schneider | Tremblay | Varga | Winther | Zhao |
Andersen | Banerjee | Costa | Dimitrov | Eklund | Fischer | Gallo
`);

/** Places for invented institutions. */
export const PLACES: readonly string[] = list(`
Ashford | Brightwater | Calderbrook | Dunmere | Eastvale | Fernhollow | Glenrock | Harrowgate |
Ironbridge | Juniper Bay | Kingsmere | Larkspur | Millbrook | Northfield | Oakridge | Pinecrest |
Queensford | Riverton | Stonehaven | Thornbury
`);

/** Institution patterns; `{}` is a place. */
export const INSTITUTION_PATTERNS: readonly string[] = list(`
University of {} | {} University | {} Institute of Technology | {} AI Research Lab |
{} Polytechnic | {} Center for Machine Learning
`);

/** Venues of input papers with the OpenAlex source name for each. */
export const VENUES: ReadonlyArray<readonly [string, string]> = [
  ["ICML", "International Conference on Machine Learning"],
  ["NeurIPS", "Neural Information Processing Systems"],
  ["ICLR", "International Conference on Learning Representations"],
  ["AAAI", "Proceedings of the AAAI Conference on Artificial Intelligence"],
  ["CVPR", "Computer Vision and Pattern Recognition"],
  ["ACL", "Annual Meeting of the Association for Computational Linguistics"],
  ["EMNLP", "Empirical Methods in Natural Language Processing"],
  ["KDD", "Knowledge Discovery and Data Mining"],
  ["AISTATS", "International Conference on Artificial Intelligence and Statistics"],
  ["TMLR", "Transactions on Machine Learning Research"],
  ["JMLR", "Journal of Machine Learning Research"],
  ["UAI", "Conference on Uncertainty in Artificial Intelligence"],
];

/** Non-ML title words for papers that are not in the corpus (they cannot match a corpus title). */
export const ABSENT_WORDS: readonly string[] = list(`
Lichen | Permafrost | Estuary | Basalt | Moraine | Fjord | Peatland | Coral | Tidal | Sediment |
Mangrove | Glacier | Dune | Aquifer | Karst | Tundra | Fern | Loess | Lagoon | Meadow | Bracken |
Heathland | Geyser | Scree | Floodplain | Salt-Marsh | Kelp | Bog
`);

/** Family names used only by papers that are not in the corpus. */
export const ABSENT_LAST_NAMES: readonly string[] = list(`
Quillfeather | Ostrander | Pembrook | Thistlewood | Vandermeer | Wexford | Yarborough |
Ambrosetti | Blackwood | Corrigan
`);

/** Sentences of synthetic abstracts; `{task}`, `{model}`, `{technique}`, `{setting}`, `{name}` are filled. */
export const ABSTRACT_SENTENCES: readonly string[] = list(`
Recent progress in {task} has been driven by {model} trained on large datasets. |
However, existing approaches remain brittle under {setting} and require careful tuning. |
We propose {name}, a simple method that combines {model} with {technique}. |
Our analysis shows that {technique} reduces the variance of gradient estimates without extra cost. |
Experiments on five benchmarks for {task} show consistent gains over strong baselines. |
We further study {setting} and find that the improvements persist across model sizes. |
Ablations reveal which components matter most and where the method fails. |
Theoretical results establish convergence under mild assumptions on the data distribution. |
The approach adds fewer than one percent parameters and trains in a single pass. |
We release code, trained checkpoints and evaluation scripts to support reproducibility. |
Compared with prior work on {model}, our method is both faster and more accurate. |
These findings suggest that {technique} is a practical default for {task}. |
A user study with practitioners confirms the usefulness of the learned representations. |
Finally, we discuss limitations and directions for future research on {task}.
`);
