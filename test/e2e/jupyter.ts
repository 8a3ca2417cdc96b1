/**
 * Running one notebook cell in a real JupyterLab through the room proxy, as a researcher would:
 * a new Python notebook from the launcher (opened first when the welcome notebook is showing), the
 * code in the first cell, Shift+Enter.
 *
 * On a loaded machine (the whole suite on two cores) the browser can drop a key press while
 * JupyterLab is busy connecting to the kernel. The code is therefore inserted as one edit (as a
 * paste would) rather than key by key, and the cell is run again while JupyterLab shows it ran
 * nothing (prompt `[ ]:`: no kernel attached yet when Shift+Enter came). If no output comes, the error says
 * what the notebook, the kernel and the room's server log showed, not only "timeout".
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/** Browser globals used inside `page.evaluate` callbacks (tests type-check without the DOM library). */
declare const document: any;
declare const window: any;

export interface CellRun {
  /** The first output's text. */
  output: string;
}

export async function runFirstCell(
  lab: Page,
  code: string,
  opts: { roomPath: string; roomLog: string; screenshot: string; timeoutMs?: number },
): Promise<CellRun> {
  // The room opens on its welcome notebook, so the launcher may not be showing: open one.
  const card = lab.locator('.jp-LauncherCard[data-category="Notebook"]').first();
  await lab.locator('.jp-LauncherCard, .jp-NotebookPanel').first().waitFor({ timeout: 60_000 });
  if (!(await card.isVisible())) await lab.locator('[data-command="launcher:create"]').first().click();
  await card.click();
  // The new notebook's own panel (the welcome notebook's may be in the page too), by its tab.
  const tab = lab.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current', { hasText: 'Untitled' });
  await tab.first().waitFor({ timeout: 60_000 });
  const panelId = (await tab.first().getAttribute('data-id')) ?? '';
  const panel = lab.locator(`[id="${panelId}"]`);
  const cell = panel.locator('.jp-Notebook .jp-Cell .cm-content').first();
  await cell.waitFor({ timeout: 60_000 });
  await panel.locator('.jp-Notebook-ExecutionIndicator').first().waitFor({ timeout: 120_000 });
  await cell.click();
  await lab.keyboard.insertText(code);
  await lab.keyboard.press('Shift+Enter');

  const output = panel.locator('.jp-OutputArea-output').first();
  const deadline = Date.now() + (opts.timeoutMs ?? 150_000);
  let presses = 1;
  let lastPress = Date.now();
  while (Date.now() < deadline) {
    if (await output.isVisible()) return { output: (await output.textContent()) ?? '' };
    // `[ ]:` after Shift+Enter means JupyterLab ran nothing: the notebook had no kernel yet (its
    // execution indicator says "idle" from the start, before any kernel is attached). `[*]:` or a
    // number means the kernel has the code; then only waiting helps.
    const seen = await notebookState(lab, panelId);
    if (seen.prompts[0] === '[ ]:' && Date.now() - lastPress > 5_000) {
      presses += 1;
      lastPress = Date.now();
      await cell.click();
      await lab.keyboard.press('Shift+Enter');
    }
    await lab.waitForTimeout(500);
  }
  await lab.screenshot({ path: opts.screenshot }).catch(() => undefined);
  const seen = await notebookState(lab, panelId).catch((e: unknown) => ({ error: String(e) }));
  const kernels = await lab
    .evaluate(async (path: string) => {
      const r = await window.fetch(`${path}api/kernels`, { credentials: 'same-origin' });
      return `${r.status} ${await r.text()}`;
    }, opts.roomPath)
    .catch((e: unknown) => String(e));
  const log = existsSync(opts.roomLog) ? readFileSync(opts.roomLog, 'utf8').split('\n').slice(-40).join('\n') : '(no room log)';
  throw new Error(
    `no cell output within the time limit (Shift+Enter pressed ${presses} times).\n` +
      `notebook: ${JSON.stringify(seen)}\nkernels: ${kernels}\nroom log (last lines):\n${log}`,
  );
}

async function notebookState(lab: Page, panelId: string): Promise<{ cells: number; prompts: string[]; text: string[]; kernel: string | null }> {
  return lab.evaluate((id: string) => {
    const panel = document.getElementById(id) ?? document;
    const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')];
    return {
      cells: cells.length,
      prompts: cells.map((c: any) => (c.querySelector('.jp-InputPrompt')?.textContent ?? '').trim()),
      text: cells.map((c: any) => c.querySelector('.cm-content')?.textContent ?? ''),
      kernel: panel.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status') ?? null,
    };
  }, panelId);
}
