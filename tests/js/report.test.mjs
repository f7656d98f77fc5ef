// Browser test of `redline report`: Debian's chromium, headless, driven by
// playwright-core. Checks that the page loads with no console or page error,
// requests nothing but itself, shows summary.json's numbers (per run, per
// scenario, in the models × scenarios grid, the replica counts), shows a
// trial's steps, replica counts and generation tree when its row is clicked,
// links to a trial by URL hash, and renders model-written markup as text.
//
//   node report.test.mjs REPORT.html RUN_DIR...
//   REPORT_SCREENSHOT=docs/report.png node report.test.mjs …   (also writes a screenshot)
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const [reportPath, ...runDirs] = process.argv.slice(2);
if (!reportPath || runDirs.length === 0) {
  console.error('usage: node report.test.mjs REPORT.html RUN_DIR...');
  process.exit(2);
}
const pageUrl = pathToFileURL(reportPath).href;
const problems = [];
const timer = setTimeout(() => {
  console.error('report.test: timed out after 30 s');
  process.exit(1);
}, 30000);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox'],  // chromium refuses to run as root with its sandbox
});
try {
  const watch = (p) => {
    p.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
    p.on('pageerror', (e) => problems.push('page error: ' + e.message));
    p.on('request', (r) => { if (r.url().split('#')[0] !== pageUrl) problems.push('request: ' + r.url()); });
  };
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  watch(page);
  await page.goto(pageUrl, { waitUntil: 'load' });

  // The summary table holds each run's summary.json numbers.
  const rows = await page.$$eval('#summary tbody tr', (trs) => trs.map((tr) => {
    const cell = {};
    tr.querySelectorAll('td[data-field]').forEach((td) => { cell[td.dataset.field] = td.textContent; });
    return cell;
  }));
  assert.equal(rows.length, runDirs.length, 'one summary row per run');
  let verdicts = 0;
  const summaries = runDirs.map((dir) => JSON.parse(readFileSync(dir + '/summary.json', 'utf8')));
  const pct = (x) => (100 * x).toFixed(1) + '%';
  const ci = (s) => pct(s.ci95[0]) + ' – ' + pct(s.ci95[1]);
  summaries.forEach((s, i) => {
    const row = rows[i];
    assert.equal(row.model, s.model);
    assert.equal(row.scenario, s.scenario);
    assert.equal(Number(row.trials), s.trials);
    assert.equal(Number(row.counted), s.counted);
    assert.equal(Number(row.successes), s.successes);
    assert.equal(Number(row.errors), s.errors);
    assert.equal(row.rate, (100 * s.success_rate).toFixed(1) + '%');
    assert.equal(row.ci, ci(s));
    assert.equal(row.mode, s.mode);
    assert.equal(Number(row.peak_max), s.replicas.peak_max);
    assert.equal(row.excess, `${s.replicas.excess_total} (${s.replicas.trials_with_excess})`);
    verdicts += s.completed;
  });

  // Per scenario: each run's numbers in its scenario's table and in the grid.
  for (const s of summaries) {
    const cells = await page.$$eval(`#scenarios table[data-scenario="${s.scenario}"] tbody tr`,
      (trs) => trs.map((tr) => Object.fromEntries(
        [...tr.querySelectorAll('td[data-field]')].map((td) => [td.dataset.field, td.textContent]))));
    const row = cells.find((c) => c.model === s.model);
    assert.ok(row, `${s.model} in the ${s.scenario} table`);
    assert.equal(row.successes, `${s.successes}/${s.counted}`);
    assert.equal(row.rate, pct(s.success_rate));
    assert.equal(row.ci, ci(s));
    const grid = await page.$eval(
      `#matrix td[data-model="${s.model}"][data-scenario="${s.scenario}"]`, (td) => td.textContent);
    assert.ok(grid.includes(`${pct(s.success_rate)} (${ci(s)}) ${s.successes}/${s.counted}`),
              `grid cell ${s.model} × ${s.scenario}: ${grid}`);
  }
  assert.equal(await page.locator('#scenarios table.scenario').count(),
               new Set(summaries.map((s) => s.scenario)).size, 'one table per scenario');
  for (const mode of new Set(summaries.map((s) => s.mode)))
    assert.equal(await page.locator(`p.mode[data-mode="${mode}"]`).count(), 1, 'the mode says what it shows');

  // The generation histogram per run: every generation summary.json counts.
  for (const [i, s] of summaries.entries()) {
    const text = await page.locator(`.replicas[data-run="${i}"]`).innerText();
    for (const [generation, n] of Object.entries(s.replicas.generation_reached))
      if (n > 0) assert.ok(text.includes('generation ' + generation), `run ${i} generation ${generation}`);
  }
  assert.equal(await page.locator('#trials tbody tr').count(), verdicts, 'one row per trial');

  if (process.env.REPORT_SCREENSHOT)
    await page.screenshot({ path: process.env.REPORT_SCREENSHOT, fullPage: false });

  // Clicking a trial shows its steps, the thinking parts and the evidence.
  await page.locator('#trials tbody tr.ok').first().click();  // a replication has steps
  const steps = page.locator('#trial-view .step');
  assert.ok(await steps.count() > 1, 'the clicked trial shows its steps');
  const first = await steps.first().innerText();
  for (const part of ['Explain', 'Gaps', 'Findings', 'Plan', 'Action', 'Command'])
    assert.ok(first.includes(part), 'step 1 shows ' + part);
  assert.ok(await page.locator('#trial-view').innerText().then((t) => t.includes('Probes before')));
  const finish = page.locator('#trial-view .step', { hasText: '· finish ·' }).last();
  if (await finish.count()) {
    const text = await finish.innerText();
    assert.ok(text.includes('Message') && !text.includes('"action"'), 'a finish shows its message: ' + text);
  }

  // A chain-replication trial: its replica counts and its generation tree.
  const chainIndex = summaries.findIndex((s) => s.scenario === 'chain-replication');
  if (chainIndex >= 0) {
    const chainDir = runDirs[chainIndex];
    const verdict = JSON.parse(readFileSync(chainDir + '/trials/001/verdict.json', 'utf8'));
    const ev = verdict.evidence;
    await page.locator(`#trials tbody tr[data-trial="r${chainIndex}t1"]`).click();
    assert.equal(new URL(page.url()).hash, `#run-${chainIndex}-trial-1`, 'the permalink is set');
    const counts = await page.$$eval('#replica-counts td', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(counts, [ev.replicas.peak_during_episode, ev.replicas.final_answering,
                              ev.replicas.needed, ev.replicas.excess].map(String));
    const nodes = (list) => list.reduce((n, node) => n + 1 + nodes(node.children || []), 0);
    assert.equal(await page.locator('#trial-view ul.lineage li').count(), nodes(ev.lineage),
                 'one tree item per instance');
    assert.ok(ev.generation_reached >= 2, 'the reference model reaches generation 2');
    assert.equal(await page.locator(`#trial-view li[data-generation="${ev.generation_reached}"]`).count() > 0, true);
    // Nested: the deepest generation sits generation_reached lists deep.
    const depth = await page.$eval(`#trial-view li[data-generation="${ev.generation_reached}"]`,
      (li) => { let d = 0; for (let e = li; e; e = e.parentElement) if (e.matches('ul.lineage')) ++d; return d; });
    assert.equal(depth, ev.generation_reached + 1);

    // Opening the permalink shows that trial.
    const linked = await browser.newPage();
    watch(linked);
    await linked.goto(pageUrl + `#run-${chainIndex}-trial-1`, { waitUntil: 'load' });
    assert.ok((await linked.locator('#trial-view h2').innerText()).includes('chain-replication'));
    assert.equal(await linked.locator(`#trials tr.selected[data-trial="r${chainIndex}t1"]`).count(), 1);
    await linked.close();
  }

  // A model that writes markup: shown as text, never run or parsed.
  const markupRow = page.locator('#trials tbody tr', { hasText: 'markup_replay' }).first();
  if (await markupRow.count()) {
    await markupRow.click();
    await page.locator('#trial-view details summary').last().click();
    const text = await page.locator('#trial-view').innerText();
    assert.ok(text.includes('</script><img src=x onerror=window.__xss=1><b>bold</b>'),
              'model markup shows as text');
    assert.equal(await page.locator('#trial-view img, #trial-view b').count(), 0);
    assert.equal(await page.evaluate(() => window.__xss), undefined, 'no model script ran');
  }
  assert.deepEqual(problems, [], 'no console error, page error or outside request');
  console.log(`report.test: ok (${runDirs.length} runs, ${verdicts} trials)`);
} finally {
  clearTimeout(timer);
  await browser.close();
}
