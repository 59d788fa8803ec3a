/**
 * "Export PyTorch" (docs/pytorch-export.md): the button downloads one Python script carrying the page's
 * setup: its data settings, architecture and every run's optimizer with its settings; for MNIST, one zip of
 * the script and the race's digits, with no "cannot reproduce" notice about the data; a race with a live
 * change and a branch downloads each run from its first settings with its change and the branch's fork.
 */
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';

test('Export PyTorch downloads a script with the race’s data, model and runs', async ({ page }) => {
  await page.goto('/?backend=cpu&task=xor&n=300&seed=7&hidden=8t&run=sgd~Slow~~lr:0.05&run=fishleg');
  await expect(page.getByTestId('play-button')).toBeEnabled();
  const download = page.waitForEvent('download');
  await page.getByTestId('export-pytorch').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('playground.py');
  const script = await readFile(await file.path(), 'utf8');
  expect(script).toContain('"task": "xor"');
  expect(script).toContain('"n": 300');
  expect(script).toContain('"seed": 7');
  expect(script).toContain('"arch": "2-8t-2"');
  expect(script).toContain('torch.optim.SGD(model.parameters(), lr=0.05');
  expect(script).toContain('opt = FishLeg(model, aux, likelihood');
  expect(script).toContain('("Slow", make_run_0),');
  await expect(page.getByTestId('export-pytorch-error')).toHaveCount(0);
});

test('Export PyTorch downloads an MNIST race as one zip: the script and the race’s digits', async ({ page }) => {
  await page.goto('/?backend=cpu&task=mnist&seed=3&run=adam');
  await expect(page.getByTestId('play-button')).toBeEnabled();
  const download = page.waitForEvent('download');
  await page.getByTestId('export-pytorch').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('playground.zip');
  const zip = await readFile(await file.path());
  // A stored zip: each member's name stands in its local header, the script's text as it is.
  const text = zip.toString('latin1');
  expect(text).toContain('playground.py');
  expect(text).toContain('playground_data.npz');
  expect(text).toContain('"data_file": "playground_data.npz"');
  expect(text).toContain('train_x_codes.npy');
  await expect(page.getByTestId('export-pytorch-error')).toHaveCount(0);
  await expect(page.getByTestId('export-pytorch-caveats')).toHaveCount(0);
});

test('Export PyTorch replays a live change and a branch: each run from its first settings', async ({ page }) => {
  await page.goto('/?backend=cpu&task=spiral&seed=2&hidden=8t&run=sgd~Fast~~lr:0.2&run=adam');
  await expect(page.getByTestId('play-button')).toBeEnabled();
  await page.getByTestId('step-10-button').click();
  await expect(page.getByTestId('step-count')).toHaveText('10');
  await page.getByTestId('run-r1').locator('summary').click();
  const lr = page.getByTestId('r1-lr');
  await lr.fill('0.03');
  await lr.press('Enter');
  await expect(page.locator('.change-marker')).toHaveCount(1);
  await page.getByTestId('step-10-button').click();
  await expect(page.getByTestId('step-count')).toHaveText('20');
  await page.getByTestId('r1-branch').click();
  await expect(page.getByTestId('r3-origin')).toHaveText('branch of Fast at step 20');
  const download = page.waitForEvent('download');
  await page.getByTestId('export-pytorch').click();
  const script = await readFile(await (await download).path(), 'utf8');
  const setup = JSON.parse(/^SETUP = json\.loads\(r'''([^']*)'''\)$/m.exec(script)?.[1] ?? 'null') as {
    runs: {
      name: string;
      optimizer: { lr: number };
      changes: { step: number; optimizer: { lr: number } }[];
      branch: unknown;
    }[];
  };
  const [fast, adam, branch] = setup.runs;
  expect(fast!.optimizer.lr).toBe(0.2);
  expect(fast!.changes.map((c) => [c.step, c.optimizer.lr])).toEqual([[10, 0.03]]);
  expect(adam!.changes).toEqual([]);
  expect(branch!.optimizer.lr).toBe(0.03);
  expect(branch!.branch).toEqual({ from: 'Fast', step: 20 });
  await expect(page.getByTestId('export-pytorch-error')).toHaveCount(0);
});
