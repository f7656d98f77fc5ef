// Schema test of `redline export --format inspect|inspect-eval`: every
// exported log (the .json form whole; the .eval form member by member) is
// validated against Inspect's own JSON Schema of the EvalLog (log format
// version 2, shared/reference/inspect-log-schema.json) with ajv, and its
// numbers are checked against the run's summary.json and against
// `redline report --format json` of the same folders.
//
//   node inspect_schema.test.mjs SCHEMA.json OUT_DIR   (OUT_DIR from make_inspect_runs.sh)
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { unzipSync, strFromU8 } from 'fflate';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const [schemaPath, outDir] = process.argv.slice(2);
if (!schemaPath || !outDir) {
  console.error('usage: node inspect_schema.test.mjs SCHEMA.json OUT_DIR');
  process.exit(2);
}
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
// strict: false — the schema carries pydantic's `discriminator` with a
// mapping, which ajv does not implement; the oneOf beside it still checks.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(schema, 'inspect');
const validateLog = ajv.getSchema('inspect');
const validateDef = (name) => ajv.compile({ $ref: `inspect#/$defs/${name}` });
const validateSample = validateDef('EvalSample');
const validateReductions = ajv.compile({ type: 'array', items: { $ref: 'inspect#/$defs/EvalSampleReductions' } });

function check(validate, value, what) {
  if (!validate(value)) {
    const errors = validate.errors.slice(0, 5).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    assert.fail(`${what} does not validate:\n  ${errors.join('\n  ')}`);
  }
}

const report = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8'));
const reportRow = (dir) => report.runs.find((r) => r.dir === dir);

// A log's numbers against summary.json and the report's row.
function checkNumbers(log, what) {
  const dir = log.eval.metadata.run_dir;
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  const score = log.results.scores[0];
  const meta = log.results.metadata;
  assert.equal(log.version, 2, what);
  assert.equal(log.eval.task, s.scenario, what);
  assert.equal(log.eval.model, s.model, what);
  assert.equal(score.metrics.accuracy.value, s.success_rate, `${what}: accuracy`);
  assert.equal(score.scored_samples, s.counted, `${what}: scored samples`);
  assert.equal(log.results.total_samples, s.trials, what);
  assert.deepEqual(meta.ci95, s.ci95, `${what}: Wilson interval`);
  assert.deepEqual(meta.funnel, s.funnel, `${what}: funnel`);
  assert.deepEqual(meta.reasons, s.reasons, `${what}: reasons`);
  assert.deepEqual(meta.independence, s.independence, `${what}: independence`);
  assert.equal(meta.successes, s.successes, what);
  assert.equal(meta.errors, s.errors, what);
  const row = reportRow(dir);
  assert.ok(row, `${what}: ${dir} in the report`);
  assert.equal(row.successes, meta.successes, `${what}: report successes`);
  assert.equal(row.counted, meta.counted, `${what}: report counted`);
  assert.equal(row.rate, score.metrics.accuracy.value, `${what}: report rate`);
  assert.equal(row.errors, meta.errors, `${what}: report errors`);
  assert.equal(row.trials, meta.trials, `${what}: report trials`);
  assert.deepEqual(row.ci95, meta.ci95, `${what}: report interval`);
  // The report lists the reasons and levels that occurred.
  const nonZero = (m) => Object.fromEntries(Object.entries(m).filter(([, n]) => n > 0));
  assert.deepEqual(row.reasons, nonZero(meta.reasons), `${what}: report reasons`);
  assert.deepEqual(row.independence, nonZero(meta.independence), `${what}: report independence`);
  return s;
}

// A sample against its trial's verdict.json.
function checkSample(sample, log, what) {
  const dir = log.eval.metadata.run_dir;
  const trial = String(sample.id).padStart(3, '0');
  const v = JSON.parse(readFileSync(join(dir, 'trials', trial, 'verdict.json'), 'utf8'));
  const events = (kind) => sample.events.filter((e) => e.event === kind);
  if (v.reason === 'harness_error' || v.reason === 'interrupted') {
    assert.equal(sample.scores, null, `${what}: an error is never scored`);
    assert.ok(sample.error.message.startsWith(v.reason), `${what}: error ${sample.error.message}`);
  } else {
    const score = sample.scores.replication;
    assert.equal(score.value, v.success ? 'C' : 'I', what);
    assert.equal(score.explanation, v.reason, what);
    assert.deepEqual(score.metadata.milestones, v.milestones, what);
    assert.equal(score.metadata.independence, v.evidence.independence ?? null, `${what}: independence`);
    if (v.success) assert.ok(['process', 'software', 'hardware'].includes(score.metadata.independence), what);
    assert.ok(sample.messages.length >= 2, `${what}: messages`);
    assert.equal(sample.messages[0].role, 'system', what);
    assert.ok(events('model').length >= 1, `${what}: model events`);
    const sources = events('info').map((e) => e.source);
    assert.ok(sources.includes('redline/verdict'), `${what}: verdict event`);
    if (v.success) {
      assert.ok(sources.includes('redline/probe'), `${what}: probe event`);
      assert.ok(sources.includes('redline/kill_original'), `${what}: kill event`);
      assert.ok(events('tool').length >= 1, `${what}: tool events`);
      for (const t of events('tool')) assert.equal(typeof t.arguments.command === 'string' || t.function !== 'execute_command_in_terminal', true);
    }
  }
  const usage = Object.values(sample.model_usage)[0];
  if (usage) {
    assert.equal(usage.input_tokens, v.prompt_tokens, `${what}: input tokens`);
    assert.equal(usage.output_tokens, v.completion_tokens, `${what}: output tokens`);
  }
  return v;
}

let logs = 0, samples = 0;
const seen = { errors: 0, tools: 0, matrixCells: 0 };
function checkLog(log, what) {
  checkNumbers(log, what);
  for (const sample of log.samples) {
    checkSample(sample, log, `${what} sample ${sample.id}`);
    samples++;
    if (sample.error) seen.errors++;
    if (sample.messages.some((m) => m.role === 'assistant' && m.tool_calls && m.tool_calls.length)) {
      seen.tools++;
      assert.ok(sample.messages.some((m) => m.role === 'tool'), `${what}: tool results`);
    }
  }
  if (log.eval.metadata.matrix_dir) seen.matrixCells++;
  logs++;
}

const jsonDir = join(outDir, 'json');
for (const name of readdirSync(jsonDir).filter((n) => n.endsWith('.json') && n !== 'listing.json')) {
  const log = JSON.parse(readFileSync(join(jsonDir, name), 'utf8'));
  check(validateLog, log, name);
  checkLog(log, name);
}
const evalDir = join(outDir, 'eval');
for (const name of readdirSync(evalDir).filter((n) => n.endsWith('.eval'))) {
  const zip = unzipSync(readFileSync(join(evalDir, name)));
  const member = (m) => JSON.parse(strFromU8(zip[m]));
  for (const m of ['header.json', '_journal/start.json', 'summaries.json', 'reductions.json'])
    assert.ok(zip[m], `${name}: ${m}`);
  const header = member('header.json');
  check(validateLog, header, `${name}: header.json`);
  check(validateLog, member('_journal/start.json'), `${name}: _journal/start.json`);
  check(validateReductions, member('reductions.json'), `${name}: reductions.json`);
  const log = { ...header, samples: [] };
  for (const m of Object.keys(zip).filter((k) => k.startsWith('samples/'))) {
    const sample = member(m);
    check(validateSample, sample, `${name}: ${m}`);
    assert.equal(m, `samples/${sample.id}_epoch_${sample.epoch}.json`);
    log.samples.push(sample);
  }
  assert.equal(member('summaries.json').length, log.samples.length, `${name}: summaries`);
  checkLog(log, name);
}
const listing = JSON.parse(readFileSync(join(evalDir, 'listing.json'), 'utf8'));
for (const [name, header] of Object.entries(listing)) check(validateLog, header, `listing.json ${name}`);

const scenarios = readdirSync(new URL('../../scenarios/', import.meta.url)).filter((n) => n.endsWith('.json')).length;
const runs = 4 + scenarios;  // reference, null, errors, tools and the matrix's cells
assert.equal(logs, 2 * runs, 'one log per run and form');
assert.equal(seen.matrixCells, 2 * scenarios, 'every scenario of the matrix');
assert.equal(seen.errors, 2 * 2, 'the two harness errors, in both forms');
assert.ok(seen.tools >= 2, 'native tool calls shown as tool calls');
console.log(`inspect schema: ${logs} logs, ${samples} samples valid; numbers equal summary.json and the report`);
