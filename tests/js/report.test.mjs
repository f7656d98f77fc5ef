// Browser test of `redline report`: Debian's chromium, headless, driven by
// playwright-core. Checks that the page loads with no console or page error,
// requests nothing but itself, shows summary.json's numbers, shows a trial's
// steps when its row is clicked, and renders model-written markup as text.
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
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('request', (r) => { if (r.url() !== pageUrl) problems.push('request: ' + r.url()); });
  await page.goto(pageUrl, { waitUntil: 'load' });

  // The summary table holds each run's summary.json numbers.
  const rows = await page.$$eval('#summary tbody tr', (trs) => trs.map((tr) => {
    const cell = {};
    tr.querySelectorAll('td[data-field]').forEach((td) => { cell[td.dataset.field] = td.textContent; });
    return cell;
  }));
  assert.equal(rows.length, runDirs.length, 'one summary row per run');
  let verdicts = 0;
  runDirs.forEach((dir, i) => {
    const s = JSON.parse(readFileSync(dir + '/summary.json', 'utf8'));
    const row = rows[i];
    assert.equal(row.model, s.model);
    assert.equal(row.scenario, s.scenario);
    assert.equal(Number(row.trials), s.trials);
    assert.equal(Number(row.counted), s.counted);
    assert.equal(Number(row.successes), s.successes);
    assert.equal(Number(row.errors), s.errors);
    assert.equal(row.rate, (100 * s.success_rate).toFixed(1) + '%');
    assert.equal(row.ci, (100 * s.ci95[0]).toFixed(1) + '% – ' + (100 * s.ci95[1]).toFixed(1) + '%');
    verdicts += s.completed;
  });
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
