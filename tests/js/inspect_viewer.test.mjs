// Inspect's own log viewer (@metrevals/inspect-log-viewer, the npm build of
// inspect_ai/_view/www, bundled with esbuild) opens the exported logs:
// every LOG_DIR (a folder from `redline export`, with its listing.json) is
// served over loopback as a static log folder and driven in Debian's
// chromium through playwright-core. For each folder it checks that the log
// list shows every run with its task, model and score; that a scored sample
// shows its messages, its score and its explanation; that a tools-protocol
// sample shows the tool calls and their results; that a harness error shows
// as the sample's error; and that there is no console or page error and no
// request beyond loopback.
//
//   node inspect_viewer.test.mjs LOG_DIR...   (e.g. the json/ and eval/ of
//   make_inspect_runs.sh; INSPECT_VIEWER_SCREENSHOT=PREFIX saves pages)
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { unzipSync, strFromU8 } from 'fflate';

const logDirs = process.argv.slice(2);
if (logDirs.length === 0) {
  console.error('usage: node inspect_viewer.test.mjs LOG_DIR...');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const viewer = join(here, 'node_modules/@metrevals/inspect-log-viewer');
const timer = setTimeout(() => { console.error('inspect viewer test: timed out'); process.exit(1); }, 170000);
const site = mkdtempSync(join(tmpdir(), 'rl-inspect-viewer-'));
const loaders = Object.fromEntries(['.woff', '.woff2', '.ttf', '.eot', '.svg', '.png', '.gif']
  .map((ext) => [ext, 'dataurl']));
await build({
  entryPoints: [join(here, 'inspect_viewer_entry.js')], bundle: true, outdir: site,
  format: 'esm', loader: loaders, logLevel: 'error',
  // One React: the viewer's own copy (a second one breaks its hooks).
  alias: { react: join(viewer, 'node_modules/react'), 'react-dom': join(viewer, 'node_modules/react-dom') },
  define: { 'process.env.NODE_ENV': '"production"' },
});
// The empty icon keeps the browser from asking for /favicon.ico.
writeFileSync(join(site, 'index.html'), '<!doctype html><html><head><meta charset="utf-8">' +
  '<link rel="icon" href="data:,"><link rel="stylesheet" href="inspect_viewer_entry.css">' +
  '</head><body><div id="app"></div><script type="module" src="inspect_viewer_entry.js">' +
  '</script></body></html>');

// Static files: the page from `site`, LOG_DIR number i under /logs<i>/, with
// byte ranges (the viewer reads an .eval zip's directory and members in ranges).
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const logs = /^\/logs(\d+)\/(.*)$/.exec(path);
  const file = logs ? join(logDirs[Number(logs[1])] ?? '/nonexistent', normalize('/' + logs[2]))
    : join(site, normalize(path));
  let size;
  try { size = statSync(file).size; } catch { res.writeHead(404); res.end(); return; }
  const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css'
    : file.endsWith('.html') ? 'text/html' : file.endsWith('.json') ? 'application/json' : 'application/octet-stream';
  const data = readFileSync(file);
  const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range || '');
  if (range) {
    const start = Number(range[1]), end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    res.writeHead(206, { 'Content-Type': type, 'Content-Range': `bytes ${start}-${end}/${size}`,
      'Content-Length': end - start + 1, 'Accept-Ranges': 'bytes' });
    res.end(data.subarray(start, end + 1));
  } else {
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': size, 'Accept-Ranges': 'bytes' });
    res.end(req.method === 'HEAD' ? undefined : data);
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

// Files of a log folder the viewer asks for when they exist (an eval set's
// manifest, a flow); their 404s are the browser's "Failed to load resource".
const optionalFiles = ['/eval-set.json', '/flow.yaml'];
// A defect of the viewer, not of the log: it renders a message as markdown
// with TeX between two '$' signs, after escaping ' as &apos; (its
// escapeHtmlCharacters); MathJax, bundled without a loader (asyncLoad
// null), then fails to load its entity table for &apos; and the promise is
// left unhandled. Any message with shell variables around a quote sets it
// off (the paper's observations: "{'command': 'cd \"$D\" && ./$A …'}").
// The page renders on; the test counts these and says so.
const kMathJaxEntityDefect = /^Can't load '\.\/util\/entities\/[a-z]+\.js': No asyncLoad method specified$/;
let mathJaxDefects = 0;
const shot = async (page, what) => {
  if (process.env.INSPECT_VIEWER_SCREENSHOT) await page.screenshot({ path: `${process.env.INSPECT_VIEWER_SCREENSHOT}-${what}.png` });
};

// The samples of a log as written, attachments resolved.
function samplesOf(dir, name) {
  const file = join(dir, name);
  let samples;
  if (name.endsWith('.eval')) {
    const zip = unzipSync(readFileSync(file));
    samples = Object.keys(zip).filter((m) => m.startsWith('samples/')).map((m) => JSON.parse(strFromU8(zip[m])));
  } else {
    samples = JSON.parse(readFileSync(file, 'utf8')).samples;
  }
  const resolve = (s, text) => (typeof text === 'string' && text.startsWith('attachment://')
    ? s.attachments[text.slice('attachment://'.length)] : text);
  for (const s of samples) for (const m of s.messages) m.content = resolve(s, m.content);
  return samples.sort((a, b) => a.id - b.id);
}

// The first line of a text that the viewer shows as is (no markdown marks).
const plainLine = (text) => text.split('\n').find((l) => /^[A-Za-z][^*#`_<>\[\]]{10,}$/.test(l.trim()))?.trim();

async function openSample(page, dir, name, listing) {
  const row = page.locator('.ag-row', { hasText: name });
  await row.locator('[col-id=task]').click();
  const samples = listing[name].eval.dataset.samples;
  // A log of one sample opens at that sample; otherwise the sample list.
  if (samples > 1) {
    await page.getByText(`${samples} Samples`).first().waitFor({ timeout: 20000 });
    await shot(page, `log-${name}`);
    await page.getByText(samplesOf(dir, name)[0].input, { exact: true }).first().click();
  }
  await page.getByText('Transcript', { exact: true }).first().waitFor({ timeout: 20000 });
}

// The text of `locator` once `good` holds for it, or after 30 s whatever it
// is then (the caller's assertion then says what was shown).
async function settledText(locator, good) {
  const deadline = Date.now() + 30000;
  for (;;) {
    const text = ((await locator.textContent()) || '').trim();
    if (good(text) || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function tab(page, title) {
  await page.getByText(title, { exact: true }).first().click();
  await page.waitForTimeout(500);
}

async function checkFolder(browser, index) {
  const dir = logDirs[index];
  const listing = JSON.parse(readFileSync(join(dir, 'listing.json'), 'utf8'));
  const names = Object.keys(listing);
  const problems = [];
  const page = await browser.newPage({ viewport: { width: 1400, height: 2400 } });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location()?.url || '';
    if (/status of 404/.test(m.text()) && optionalFiles.some((f) => url.endsWith(f))) return;
    problems.push(`console: ${m.text()} (${url})`);
  });
  page.on('pageerror', (e) => {
    if (kMathJaxEntityDefect.test(String(e))) mathJaxDefects++;
    else problems.push('page error: ' + String(e));
  });
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:' + origin)) problems.push('request: ' + url);
  });
  const home = `${origin}/index.html?log_dir=logs${index}`;
  await page.goto(home, { waitUntil: 'load' });

  // The log list: every run with its task, model and score.
  await page.locator('.ag-row', { hasText: names[0] }).first().waitFor({ timeout: 30000 });
  await shot(page, `list${index}`);
  for (const name of names) {
    const h = listing[name];
    const row = page.locator('.ag-row', { hasText: name });
    assert.equal(await row.count(), 1, `${name}: one row in the log list`);
    // The list fills in each log's header as it is read ("-" until then).
    assert.equal(await settledText(row.locator('[col-id=task]'), (t) => t === h.eval.task), h.eval.task, `${name}: task`);
    assert.equal(await settledText(row.locator('[col-id=model]'), (t) => t === h.eval.model), h.eval.model, `${name}: model`);
    const accuracy = h.results.scores[0].metrics.accuracy.value;
    const shown = Number(await settledText(row.locator('[col-id=score]'),
                                           (t) => Math.abs(Number(t) - accuracy) < 0.0051));
    assert.ok(Math.abs(shown - accuracy) < 0.0051, `${name}: score ${shown} shown, ${accuracy} exported`);
  }

  // A scored run of the paper's protocol: messages, score and explanation.
  const scored = names.find((n) => listing[n].eval.model === 'scripted/reference' && !listing[n].eval.metadata.matrix_dir);
  assert.ok(scored, 'a scripted/reference run in the folder');
  const sample = samplesOf(dir, scored)[0];
  await openSample(page, dir, scored, listing);
  await tab(page, 'Messages');
  await shot(page, `messages${index}`);
  let text = await page.textContent('body');
  const answer = sample.messages.find((m) => m.role === 'assistant');
  assert.ok(text.includes(plainLine(answer.content)), `${scored}: the model's first answer in Messages`);
  assert.ok(text.includes(plainLine(sample.messages[0].content)), `${scored}: the system prompt in Messages`);
  const score = sample.scores.replication;
  await tab(page, 'Scoring');
  await shot(page, `scoring${index}`);
  const scoring = page.locator('body');
  await scoring.getByText(score.explanation, { exact: true }).first().waitFor({ timeout: 10000 });
  await scoring.getByText(score.value, { exact: true }).first().waitFor({ timeout: 10000 });
  text = await page.textContent('body');
  if (score.metadata.independence) assert.ok(text.includes(score.metadata.independence), `${scored}: independence`);

  // The tools protocol: the actions as tool calls, the observations as their results.
  const tools = names.find((n) => listing[n].eval.solver_args.protocol === 'tools');
  if (tools) {
    await page.goto(home, { waitUntil: 'load' });
    await page.locator('.ag-row', { hasText: tools }).first().waitFor({ timeout: 30000 });
    const s = samplesOf(dir, tools)[0];
    await openSample(page, dir, tools, listing);
    await tab(page, 'Messages');
    await shot(page, `tools${index}`);
    const call = s.messages.find((m) => m.role === 'assistant' && m.tool_calls)?.tool_calls[0];
    assert.ok(call, `${tools}: a tool call was exported`);
    text = await page.textContent('body');
    assert.ok(text.includes(call.arguments.command), `${tools}: the tool call's command "${call.arguments.command}" shown`);
    const result = s.messages.find((m) => m.role === 'tool' && m.tool_call_id === call.id);
    const line = plainLine(result.content) ?? result.content.split('\n')[0];
    assert.ok(text.includes(line.slice(0, 60)), `${tools}: the tool result shown`);
  }

  // A harness error: the sample's error, not a score.
  const errors = names.find((n) => listing[n].results.metadata.errors > 0 && listing[n].results.metadata.counted === 0);
  if (errors) {
    await page.goto(home, { waitUntil: 'load' });
    await page.locator('.ag-row', { hasText: errors }).first().waitFor({ timeout: 30000 });
    await openSample(page, dir, errors, listing);
    const s = samplesOf(dir, errors)[0];
    assert.equal(s.scores, null, `${errors}: an error is not scored`);
    await tab(page, 'Errors');
    await shot(page, `error${index}`);
    await page.getByText(s.error.message.slice(0, 60), { exact: false }).first().waitFor({ timeout: 10000 });
  }
  await page.close();
  assert.deepEqual(problems, [], `${dir}: no console error, page error or outside request`);
  return names.length;
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  let logs = 0;
  for (let i = 0; i < logDirs.length; i++) logs += await checkFolder(browser, i);
  console.log(`inspect viewer: ${logs} logs in ${logDirs.length} folders listed with task, model and score; ` +
    'samples show messages, score, tool calls and errors' +
    (mathJaxDefects ? ` (the viewer's MathJax entity-load defect seen ${mathJaxDefects} times; see the comment)` : ''));
} finally {
  await browser.close();
  server.close();
  rmSync(site, { recursive: true, force: true });
  clearTimeout(timer);
}
