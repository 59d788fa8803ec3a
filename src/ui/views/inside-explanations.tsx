/**
 * The text of the Inside-FishLeg view: what the Fisher, the natural gradient and FishLeg's auxiliary loss are,
 * which measure to read when (the cosine; the relative error only while F is not far below γ), why a confident
 * model's Fisher collapses to the damping, and what each preset shows. The preset figures are measured on the
 * CPU backend and pinned by src/ui/presets-inside.test.ts: change one, change the other.
 */
import { Tex } from './tex-formula.tsx';
import './views.css';

export function InsideExplanations() {
  return (
    <div className="views-explain">
      <div>
        <h4>The Fisher matrix</h4>
        <p>
          How much the model&apos;s predictions change when the parameters move: the covariance of the gradient of the
          negative log-likelihood ℓ when the targets are drawn from the model itself.
        </p>
        <Tex name="fisher" display />
      </div>
      <div>
        <h4>Natural gradient</h4>
        <p>
          Steps measured in how much the predicted distribution changes rather than in raw parameter units. Directions
          the loss barely depends on get long steps, sensitive ones short steps. The damping γ keeps the inverse finite.
        </p>
        <Tex name="natural" display />
      </div>
      <div>
        <h4>The Legendre–Fenchel view</h4>
        <p>
          Let H be the loss expected under the model&apos;s own predictions after a move δ. The best move against a
          linear pull u is the gradient of H&apos;s convex conjugate, and its slope at u = 0 is exactly the inverse
          Fisher:
        </p>
        <Tex name="h" display />
        <Tex name="legendre" display />
        <Tex name="legendreSlope" display />
        <p>
          FishLeg never inverts F: it fits a cheap structured matrix Q(λ) (Kronecker factors per layer) to that map,{' '}
          <Tex name="approx" />.
        </p>
      </div>
      <div>
        <h4>The auxiliary loss and its optimum</h4>
        <p>
          λ is learned with Adam on the auxiliary loss, which needs only Fisher–vector products. For a quadratic H its
          minimiser over all Q is the inverse damped Fisher:
        </p>
        <Tex name="aux" display />
        <Tex name="auxMin" display />
        <p>
          The chart evaluates it on this layer for the direction û of the layer&apos;s current gradient, against the
          best any Q could do there. A on its own rises and falls with the gradient&apos;s direction (A* does too); the
          gap to A* is what says whether Q is good along the directions the gradient takes. During training it is logged
          as <Tex name="logged" /> over the whole model and random batches.
        </p>
        <Tex name="auxStar" display />
      </div>
      <div>
        <h4>Which measure to read: the direction of the step</h4>
        <p>
          FishLeg steps along Q·g (through momentum); natural-gradient descent would step along (F + γI)⁻¹g. Their
          cosine is the headline: 1 means FishLeg takes the natural-gradient direction, and the plain gradient&apos;s
          cosine is what SGD would get (Adam&apos;s direction is not shown: it depends on its own run&apos;s history,
          not on this run&apos;s Q).
        </p>
        <Tex name="cosine" display />
        <p>
          The spectrum chart shows why a cosine is high or low: for each eigen-direction u of the layer&apos;s Fisher,
          Q&apos;s value along u against the exact one. Dots on the diagonal are right; big dots carry most of the
          gradient, so they decide the step.
        </p>
        <Tex name="spectrum" display />
      </div>
      <div>
        <h4>When the Fisher collapses to the damping</h4>
        <p>
          The Fisher weights every training point by how unsure the model is about it: Λ = p(1 − p) for a Bernoulli
          output, diag(p) − ppᵀ for a softmax. Once the model is confident, its probabilities are near 0 or 1 on most
          points and the layer&apos;s Fisher shrinks far below γ:
        </p>
        <Tex name="collapse" display />
        <p>
          The exact matrix is then almost all 1/γ (the dots pile up at the dashed line), and the relative error measures
          Q mostly in directions the gradient never visits, where the auxiliary loss cannot correct it — a softmax
          output adds a whole null space (adding a constant to every logit changes nothing), in which Q keeps its
          starting value. It can rise while the steps are fine. The cosine looks only at the step. In that regime the
          natural gradient is g/γ, the plain gradient&apos;s own direction, so the plain gradient scores ≈ 1 and Q can
          only tie with it — if it has followed F down. Q is learned from the gradients it sees, by Adam with a fixed
          rate, so it follows late: it keeps the smaller values it learned while F was large, and its steps are too
          short.
        </p>
      </div>
      <div>
        <h4>One layer or the whole model</h4>
        <p>
          Q is block-diagonal, one block per layer, and the maps above compare it with the inverse of the layer&apos;s
          own block. But FishLeg&apos;s auxiliary loss uses the whole F, including how the other layers&apos; steps move
          the same outputs; its target is the whole model&apos;s natural gradient. For models small enough for their
          exact Fisher (≤ 600 parameters) the headline also gives that comparison, and the two can disagree: on the
          output layer of a confident model the layer&apos;s own block says (F + γI)⁻¹ ≈ I/γ, while the whole model says
          part of the output change is already made by the hidden layers.
        </p>
      </div>
      <div>
        <h4>What the presets show</h4>
        <p className="views-muted">
          Measured on the CPU backend within each preset&apos;s step budget, one frame every 25–50 steps (the page shows
          one every few evaluations); single batches can dip well below the medians quoted.
        </p>
        <ul className="views-presets-list">
          <li>
            <strong>Q learns the inverse Fisher</strong> (a linear model, one layer, so layer = whole model): Q starts
            at I, far from (F + γI)⁻¹, and its steps are about half the natural gradient&apos;s length at first. The
            cosine rises from 0.84 at step 100 (the plain gradient: 0.97) to 0.98–0.99 over steps 200–350 and 1.00 from
            step 400, ahead of the plain gradient&apos;s 0.96–0.99 in every frame from then on; the relative error falls
            about 20×.
          </li>
          <li>
            <strong>Spiral</strong> (the FishLeg run&apos;s output layer): for the first 3,000 steps — the plateau near
            0.67 and the way down from it — FishLeg&apos;s direction is close to the layer&apos;s natural gradient:
            median cosine 0.94–0.97 in each stretch of 1,000 steps against 0.89–0.91 for the plain gradient, ahead in 46
            of 60 frames (in all of the first 250 steps). The whole model agrees at first (0.94 against 0.84 over the
            first 250 steps), later it is mixed. Over the last 1,000 steps, as the spiral gets fitted, the layer&apos;s
            largest Fisher eigenvalue falls from 1–1.9 to 0.2–0.8, close to γ = 0.3: the plain gradient&apos;s cosine
            rises to a median 0.98 and FishLeg&apos;s (median 0.91) is behind in 18 of 20 frames, with Q at about a
            third of 1/(λ + γ) along the gradient&apos;s main direction and steps about half as long as the natural
            gradient&apos;s (whole model: 0.46 against 0.59). The relative error sits near 0.7 from step 500 on.
          </li>
          <li>
            <strong>Switch approximations</strong> (overlapping circles, output layer): within about 150 steps the
            layer&apos;s largest Fisher eigenvalue falls from about 1 to about 0.15 and then stays near 0.1, a third of
            γ = 0.3 (most points are classified confidently; those in the overlap keep it from vanishing). From then on
            the plain gradient is practically the layer&apos;s natural gradient (cosine 0.98–1.00), while FishLeg&apos;s
            falls from about 0.9 over the first 100 steps to a median 0.75 over steps 275–1,000: Q sits about 5× below
            1/(λ + γ) along the gradient and its steps are about a third as long as they should be. Over the whole model
            FishLeg is ahead early (median 0.92 against 0.76 in the first 100 steps) and behind later (0.45 against
            0.62). The relative error rises from 0.36 at step 50 to 0.7 by step 1,000.
          </li>
          <li>
            <strong>MNIST autoencoder</strong> (the 64→16 bottleneck layer, 1,040 weights; exact block on 16 training
            rows, no heat maps at this size): at the paper&apos;s α = 10⁻⁴ with an update every 10 steps, Q has hardly
            left its start Q₀ = I/γ = 10·I within the preset&apos;s 500 steps (about 9 along the layer&apos;s top Fisher
            directions at step 500, where the exact value is about 0.001). So on this layer FishLeg steps along the
            plain gradient (both cosines about 0.3) and about 3× too far: there it is SGD with momentum at the rate η/γ.
            Sixteen rows span the layer&apos;s Fisher only in part: about 10 % of the gradient lies outside that span,
            where the reference takes 1/γ.
          </li>
        </ul>
      </div>
    </div>
  );
}
