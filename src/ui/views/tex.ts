/**
 * The formulas of the "Inside FishLeg" explanations (docs/fishleg.md §1 and §5) as constant TeX strings,
 * typeset once with KaTeX. Only these constants are ever rendered — never user input — so inserting
 * KaTeX's HTML is safe; `trust` stays off and errors render as red source instead of throwing.
 */
import katex from 'katex';

/** The formulas, by name. */
export const FORMULAS = {
  fisher: String.raw`F(\theta) = \mathbb{E}_{x}\,\mathbb{E}_{y \sim p(y\mid x,\theta)}\big[\nabla_\theta \ell\, \nabla_\theta \ell^{\top}\big]`,
  natural: String.raw`\theta \leftarrow \theta - \eta\, F_\gamma^{-1} g, \qquad F_\gamma = F + \gamma I`,
  h: String.raw`H(\theta,\delta) = \mathbb{E}_{y \sim p(y\mid x,\theta)}\, \ell(\theta + \delta)`,
  legendre: String.raw`\tilde\delta(u) = \arg\min_\delta\, H(\theta,\delta) - u^{\top}\delta`,
  legendreSlope: String.raw`\nabla_u \tilde\delta(u)\big|_{u=0} = F(\theta)^{-1}`,
  approx: String.raw`\tilde\delta(u) \approx Q(\lambda)\,u`,
  aux: String.raw`\begin{aligned} A(\lambda) &= H\big(\theta, Q(\lambda)u\big) - u^{\top} Q(\lambda) u \\ &\approx \tfrac12 (Qu)^{\top} F_\gamma (Qu) - u^{\top} Q u \end{aligned}`,
  auxMin: String.raw`\arg\min_Q A = F_\gamma^{-1}, \qquad \min A = -\tfrac12\, u^{\top} F_\gamma^{-1} u`,
  logged: String.raw`A = \frac{\tfrac12 v^{\top} F_\gamma v - u^{\top} v}{\lVert u \rVert^2}, \quad v = Q(\lambda) u`,
  relError: String.raw`\frac{\lVert Q - F_\gamma^{-1} \rVert_F}{\lVert F_\gamma^{-1} \rVert_F}`,
  ngdStep: String.raw`(F + \gamma I)\, d = g \;\Rightarrow\; d = \frac{1}{\det}\begin{pmatrix} F_{22}+\gamma & -F_{12} \\ -F_{12} & F_{11}+\gamma \end{pmatrix} g`,
  gaussianFisher: String.raw`F = \tfrac1N \textstyle\sum_i x_i x_i^{\top} = \nabla^2 L`,
  cosine: String.raw`\cos\angle\big(Qg,\, F_\gamma^{-1} g\big) = \frac{(Qg)^{\top} F_\gamma^{-1} g}{\lVert Qg \rVert\, \lVert F_\gamma^{-1} g \rVert}`,
  auxStar: String.raw`A(Q) = \tfrac12 (Q\hat u)^{\top} F_\gamma (Q\hat u) - \hat u^{\top} Q \hat u \;\ge\; A^{\ast} = -\tfrac12\, \hat u^{\top} F_\gamma^{-1} \hat u, \qquad \hat u = g / \lVert g \rVert`,
  collapse: String.raw`p_i \to 0 \text{ or } 1 \;\Rightarrow\; \Lambda_i \to 0,\; F \to 0,\; (F + \gamma I)^{-1} \to I/\gamma`,
  spectrum: String.raw`u_j^{\top} Q\, u_j \quad \text{against} \quad u_j^{\top} F_\gamma^{-1} u_j = \frac{1}{\lambda_j + \gamma}, \qquad F u_j = \lambda_j u_j`,
} as const;

/** A formula's name. */
export type FormulaName = keyof typeof FORMULAS;

const cache = new Map<string, string>();

/** KaTeX HTML of a named formula (cached: the strings are constant). */
export function texHtml(name: FormulaName, displayMode = false): string {
  const key = `${name}:${displayMode ? 'd' : 'i'}`;
  let html = cache.get(key);
  if (html === undefined) {
    html = katex.renderToString(FORMULAS[name], { displayMode, throwOnError: false, output: 'htmlAndMathml' });
    cache.set(key, html);
  }
  return html;
}
