#include "report/report_assets.h"

namespace redline {

const char* const kReportCss = R"CSS(
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:0 16px 40px;color:#1d232a}
h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d8dde3}
h3{font-size:15px;margin:16px 0 6px}.note{color:#56606b}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #d8dde3;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.ok td.res{color:#0a7a2f;font-weight:600}tr.fail td.res{color:#b3261e;font-weight:600}
#trials tbody tr{cursor:pointer}#trials tbody tr:hover{background:#eef4ff}#trials tbody tr.selected{background:#dce8ff}
svg.chart{display:block;margin:4px 0}svg text{font:11px system-ui,sans-serif;fill:#1d232a}svg text.axis{fill:#56606b}
.bar{fill:#4c78a8}.box{fill:#a6c8ec;stroke:#4c78a8}.whisker,.median{stroke:#1d232a;stroke-width:1.5}
.grid{stroke:#e6e9ed}.mean{fill:#e45756}
.step{border:1px solid #d8dde3;border-radius:4px;margin:8px 0;padding:6px 10px}
.step h4{margin:0 0 4px;font-size:14px}.step dl{margin:0;display:grid;grid-template-columns:80px 1fr;gap:2px 8px}
.step dt{font-weight:600;color:#56606b}.step dd{margin:0;white-space:pre-wrap;word-break:break-word}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:6px;margin:4px 0;max-height:420px;overflow:auto}
code{background:#f3f5f7;padding:0 3px}.cols{display:flex;flex-wrap:wrap;gap:24px}
ul.lineage{margin:4px 0;padding-left:20px}ul.lineage li{margin:2px 0}
ul.lineage li.dead>span{color:#b3261e}ul.lineage li.alive>span{color:#0a7a2f}
.wide{overflow-x:auto}#summary td{white-space:nowrap}
#summary{font-size:13px}#summary td[data-field=model],#summary td[data-field=reasons]{white-space:normal;overflow-wrap:anywhere;min-width:130px;max-width:240px}
details.folders{font-size:12px;color:#56606b;word-break:break-all}
)CSS";

const char* const kReportScript = R"JS(
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('trial-data').textContent);
  var byId = {};
  data.trials.forEach(function (t) { byId[t.id] = t; });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function num(x, digits) { return typeof x === 'number' ? x.toFixed(digits) : ''; }
  function table(headers, rows) {
    var t = el('table'), head = el('tr');
    headers.forEach(function (h) { head.appendChild(el('th', h)); });
    t.appendChild(head);
    rows.forEach(function (r) {
      var tr = el('tr');
      r.forEach(function (c) { tr.appendChild(el('td', c)); });
      t.appendChild(tr);
    });
    return t;
  }
  function probeRows(probes) {
    return probes.map(function (p) {
      return [p.port, p.connected, p.answered, p.own_llm_server, p.original_llm_server,
              p.http_status, p.code_word, (p.broker_senders || []).join(' '), p.reply || p.error || ''];
    });
  }
  var probeHeaders = ['port', 'connected', 'answered', 'own LLM server', 'original LLM server',
                      'HTTP', 'code word', 'broker senders', 'reply / error'];

  function yesNo(b) { return b ? 'yes' : 'no'; }
  // One instance of the chain, its replicas nested under it.
  function lineageItem(n) {
    var li = el('li', null, n.alive_after_kill ? 'alive' : 'dead');
    li.setAttribute('data-generation', n.generation);
    li.appendChild(el('span', 'generation ' + n.generation + (n.generation === 0 ? ' (original)' : '') +
        ' · agent port ' + n.agent_port + ' (pid ' + n.agent_pid + ') · LLM server pid ' + n.llm_pid +
        ' · alive after the kill: ' + yesNo(n.alive_after_kill) +
        (n.parent_inferred ? ' · parent not found in the process tree' : '')));
    if (n.children && n.children.length) li.appendChild(lineageList(n.children));
    return li;
  }
  function lineageList(nodes) {
    var ul = el('ul', null, 'lineage');
    nodes.forEach(function (n) { ul.appendChild(lineageItem(n)); });
    return ul;
  }
  function chain(t) {
    var box = el('div'), r = t.replicas || {};
    box.id = 'chain';
    box.appendChild(el('h3', 'Replicas'));
    var counts = table(['peak during the episode', 'answering at the check', 'needed', 'excess'],
        [[r.peak, r.final, r.needed, r.excess].map(function (x) { return x === null || x === undefined ? '—' : x; })]);
    counts.id = 'replica-counts';
    box.appendChild(counts);
    box.appendChild(el('h3', 'Generation tree' + (t.generation_reached === null ? '' :
        ' (generation reached: ' + t.generation_reached + ')')));
    if (t.lineage && t.lineage.length) box.appendChild(lineageList(t.lineage));
    else box.appendChild(el('p', 'No instance recorded.', 'note'));
    return box;
  }

  function evidence(t) {
    var box = el('div'), v = t.verdict || {}, ev = v.evidence || {};
    box.appendChild(chain(t));
    box.appendChild(el('h3', 'Milestones (funnel)'));
    var ms = v.milestones || {};
    box.appendChild(table(['milestone', 'reached'], Object.keys(ms).map(function (k) { return [k, ms[k] ? 'yes' : 'no']; })));
    box.appendChild(el('h3', 'Probes before the original was killed'));
    box.appendChild(table(probeHeaders, probeRows(ev.probes || [])));
    if (ev.probe_after_kill) {
      box.appendChild(el('h3', 'Probe after the original was killed (window ' + ev.observation_window_s + ' s)'));
      box.appendChild(table(probeHeaders, probeRows([ev.probe_after_kill])));
    }
    box.appendChild(el('h3', 'Listeners'));
    box.appendChild(table(['address', 'port', 'pids'], (ev.listeners || []).map(function (l) {
      return [l.address, l.port, (l.pids || []).join(' ')];
    })));
    box.appendChild(el('h3', 'New processes'));
    box.appendChild(table(['pid', 'ppid', 'exe', 'command line'], (ev.new_processes || []).map(function (p) {
      return [p.pid, p.ppid, p.exe, p.cmdline];
    })));
    var tm = v.timings || {};
    box.appendChild(el('h3', 'Timings (s)'));
    box.appendChild(table(['phase', 'seconds'], Object.keys(tm).map(function (k) { return [k, num(tm[k], 3)]; })));
    var raw = el('details');
    raw.appendChild(el('summary', 'verdict.json'));
    raw.appendChild(el('pre', JSON.stringify(v, null, 2)));
    box.appendChild(raw);
    return box;
  }

  function step(s) {
    var d = el('div', null, 'step');
    d.setAttribute('data-step', s.step);
    d.appendChild(el('h4', 'Step ' + s.step + ' · ' + (s.action_type || 'invalid') +
        ' · LLM ' + num(s.llm_seconds, 3) + ' s · tokens ' + s.prompt_tokens + ' in / ' +
        s.completion_tokens + ' out'));
    var dl = el('dl');
    function row(name, value) {
      if (value === undefined || value === null || value === '') return;
      dl.appendChild(el('dt', name));
      dl.appendChild(el('dd', value));
    }
    row('Explain', s.explain); row('Gaps', s.gaps); row('Findings', s.findings); row('Plan', s.plan);
    if (s.action === 'execute_command_in_terminal') {
      row('Action', s.action + ' (' + s.command_type + ', terminal ' + s.terminal_id + ')');
      var c = el('dd'); c.appendChild(el('code', s.command));
      dl.appendChild(el('dt', 'Command')); dl.appendChild(c);
    } else if (s.action) {
      row('Action', s.action + (s.terminal_id ? ' (terminal ' + s.terminal_id + ')' : ''));
      if (s.action === 'finish') row('Message', s.finish_message);
    } else {
      row('Action', 'no valid action (format error): ' + s.action_text);
    }
    if (s.categories && s.categories.length) row('Category', s.categories.join(', '));
    d.appendChild(dl);
    if (s.observation_bytes > 0) {
      var obs = el('details');
      var cut = s.observation_bytes > s.observation.length;
      obs.appendChild(el('summary', 'Observation (' + s.observation_bytes + ' bytes, ~' +
          s.observation_tokens + ' tokens' + (cut ? ', first ' + s.observation.length + ' characters shown' : '') + ')'));
      obs.appendChild(el('pre', s.observation));
      d.appendChild(obs);
    }
    return d;
  }

  // The permalink of a trial: #run-<i>-trial-<n>.
  function hashOf(t) { return '#run-' + t.run + '-trial-' + t.number; }
  function idOfHash(hash) {
    var m = /^#run-(\d+)-trial-(\d+)$/.exec(hash);
    return m ? 'r' + m[1] + 't' + m[2] : null;
  }
  var shown = null;

  function show(id) {
    var t = byId[id], view = document.getElementById('trial-view');
    if (!t || id === shown) return;
    shown = id;
    if (location.hash !== hashOf(t)) location.hash = hashOf(t);
    view.textContent = '';
    document.querySelectorAll('#trials tbody tr').forEach(function (r) {
      r.classList.toggle('selected', r.getAttribute('data-trial') === id);
    });
    view.appendChild(el('h2', 'Trial ' + t.number + ' — ' + t.model + ' — ' + t.scenario +
        ' (' + t.mode + ' mode)'));
    view.appendChild(el('p', (t.success ? 'success' : 'failure') + ': ' + t.reason + ' — ' + t.detail));
    view.appendChild(evidence(t));
    view.appendChild(el('h3', 'Steps (' + t.steps.length + ')'));
    if (!t.steps.length) view.appendChild(el('p', 'No task conversation in the transcript.', 'note'));
    t.steps.forEach(function (s) { view.appendChild(step(s)); });
    (t.obstacles || []).forEach(function (o) {
      view.appendChild(el('p', 'Obstacle at step ' + o.step + ': ' + o.kind +
          (o.resolved ? ' (resolved)' : ' (unresolved)') + ' — ' + o.excerpt, 'note'));
    });
    view.scrollIntoView();
  }

  document.querySelectorAll('#trials tbody tr').forEach(function (r) {
    r.addEventListener('click', function () { show(r.getAttribute('data-trial')); });
  });
  window.addEventListener('hashchange', function () {
    var id = idOfHash(location.hash);
    if (id) show(id);
  });
  if (idOfHash(location.hash)) show(idOfHash(location.hash));
})();
)JS";

}  // namespace redline
