// The report page (docs/console.md): a version laid out as the template
// prints it, with every finding in place (render.js); the review status
// with what blocks it; the review form; the version history and diffs.
'use strict';

// Signs off exactly what is on screen: the version, its content hash and
// the audit's findings digest (the service refuses a version changed
// meanwhile, saying why). `extra`: the fields of a waiver or an
// acknowledgement.
let signing = null;
async function signOff(extra) {
  const s = signing;
  // One id per sign-off: a retry (the network failed after the service
  // stored it) answers the first sign-off instead of signing twice.
  const id = Array.from(crypto.getRandomValues(new Uint8Array(16)),
                        (b) => b.toString(16).padStart(2, '0')).join('');
  const body = Object.assign({
    version: s.version, content_hash: s.contentHash, findings_digest: s.digest,
  }, extra);
  const r = await fetch('/api/' + s.version + '/signOffs', {
    method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf, 'X-Request-Id': id},
    body: JSON.stringify(body),
  });
  const answer = await r.json().catch(() => ({message: r.statusText}));
  if (!r.ok) throw new Error(answer.message || r.statusText);
  return answer;
}

function reasonFor(what) {
  const reason = window.prompt(what + '的理由：');
  return reason === null ? null : reason.trim();
}

// A waiver of an error (规范性审查) or an acknowledgement of a
// confidentiality pre-screen finding (保密性审查), with a reason: the
// buttons of a finding on the report page.
function reviewActions(li, f) {
  const act = f.severity === 'ERROR' ? ['WAIVER', '豁免'] :
              /^C-/.test(f.rule_id || '') ? ['ACKNOWLEDGEMENT', '确认'] : null;
  if (act) {
    const button = el('button', act[1], 'act');
    button.type = 'button';
    button.addEventListener('click', async () => {
      const reason = reasonFor(act[1]);
      if (reason === null) return;
      const message = document.getElementById('review-message');
      try {
        await signOff({kind: act[0], rule_id: f.rule_id, location: f.location, reason});
        message.textContent = '已' + act[1] + '：' + f.rule_id;
        load();
      } catch (e) {
        message.textContent = act[1] + '未成功：' + e.message;
      }
    });
    li.append(' ', button);
  }
}

// The latest version of the same agency's report of the year before, or
// null when there is none (or the user may not read it).
async function previousYear(version) {
  const m = /^(agencies\/[^/]+\/reports\/)(\d{4})\//.exec(version);
  if (!m) return null;
  try {
    const list = await getJson('/api/' + m[1] + (Number(m[2]) - 1) + '/versions');
    const latest = (list.versions || [])[0];
    return latest ? await getJson('/api/' + latest.name) : null;
  } catch (e) {
    return null;
  }
}

// The report's versions, newest first, and what changed from the version
// before this one, cell by cell and part by part.
async function renderHistory(version) {
  const report = version.replace(/\/versions\/\d+$/, '');
  const n = Number(version.slice(version.lastIndexOf('/') + 1));
  const list = await getJson('/api/' + report + '/versions');
  const ol = document.getElementById('versions');
  ol.replaceChildren();
  for (const v of list.versions || []) {
    const li = el('li');
    const link = el('a', '第 ' + v.version + ' 版');
    link.href = '/report?version=' + encodeURIComponent(v.name);
    li.append(link, ' ', el('span', (v.create_time || '') + ' · ' + (v.submitter || ''), 'meta'));
    if (v.name === version) li.classList.add('current');
    ol.append(li);
  }
  const box = document.getElementById('diff');
  box.replaceChildren();
  if (n <= 1) return;
  const diff = await getJson('/api/' + version + '/diff?other=' + (n - 1));
  box.append(el('h4', '与第 ' + (n - 1) + ' 版相比（' + (diff.changes || []).length + ' 处变化）'));
  const table = el('table', '', 'diff');
  const head = el('tr');
  head.append(el('th', '位置'), el('th', '第 ' + (n - 1) + ' 版'), el('th', '第 ' + n + ' 版'));
  table.append(head);
  for (const ch of diff.changes || []) {
    const tr = el('tr');
    tr.dataset.field = ch.field_path;
    tr.append(el('td', ch.label || ch.field_path),
              el('td', ch.before_empty ? '（空）' : ch.before, 'before'),
              el('td', ch.after_empty ? '（空）' : ch.after, 'after'));
    table.append(tr);
  }
  box.append(table);
}

// The findings against the previous version's audit: new, fixed, open.
function renderFindingChanges(audit) {
  const box = document.getElementById('finding-changes');
  box.replaceChildren();
  const changes = audit.changes || [];
  if (!changes.length) return;
  const names = {NEW: '新增', FIXED: '已修正', OPEN: '仍存在'};
  const counts = {NEW: 0, FIXED: 0, OPEN: 0};
  for (const c of changes) counts[c.kind] = (counts[c.kind] || 0) + 1;
  box.append(el('h4', '审核发现与上一版本相比：新增 ' + counts.NEW + '，已修正 ' + counts.FIXED +
                      '，仍存在 ' + counts.OPEN));
  const ul = el('ul', '', 'finding-changes');
  for (const c of changes) {
    const f = c.finding || {};
    const li = el('li', '', 'change ' + c.kind);
    li.append(el('span', names[c.kind] || c.kind, 'kind'), ' ', el('code', f.rule_id), ' ',
              el('span', f.message));
    ul.append(li);
  }
  box.append(ul);
}

async function load() {
  const version = new URLSearchParams(location.search).get('version') || '';
  const message = document.getElementById('message');
  if (!/^agencies\/[A-Za-z0-9._-]{1,64}\/reports\/\d{4}\/versions\/\d{1,18}$/.test(version)) {
    message.textContent = '缺少或无效的版本名称。';
    return;
  }
  try {
    const [session, template, v, audit, status] = await Promise.all([
      getJson('/api/session'), getJson('/api/template'), getJson('/api/' + version),
      getJson('/api/' + version + '/audit'), getJson('/api/' + version + '/reviewStatus')]);
    document.getElementById('user').textContent = session.principal;
    document.getElementById('ledger-link').href = '/ledger?version=' + encodeURIComponent(version);
    const report = v.report || {};
    document.getElementById('title').textContent = report.title || version;
    document.getElementById('meta').textContent =
        version + ' · 内容摘要 ' + (v.content_hash || '') + ' · 提交人 ' + (v.submitter || '');
    // Review status and what blocks it.
    const box = document.getElementById('status');
    box.replaceChildren(el('h3', status.state === 'CLEARED' ? '已可发布' : '尚不能发布',
                           status.state === 'CLEARED' ? 'cleared' : 'blocked'));
    const blockers = el('ul', '', 'blockers');
    for (const b of status.blockers || []) blockers.append(el('li', b));
    box.append(blockers);
    // Findings, numbered, at their cells and parts; the previous year beside.
    const findings = audit.findings || [];
    const previous = await previousYear(version);
    renderReport(document.getElementById('parts'), document.getElementById('findings'), template,
                 report, findings, reviewActions, previous && previous.report);
    const prevBox = document.getElementById('previous');
    prevBox.replaceChildren();
    if (previous) {
      const link = el('a', '上年度报告（' + previous.name + '）');
      link.href = '/report?version=' + encodeURIComponent(previous.name);
      prevBox.append('表中各格下方为同一机关上年度数值：', link);
    } else {
      prevBox.textContent = '该机关无上年度报告可供对照。';
    }
    document.getElementById('finding-count').textContent = findings.length;
    signing = {version, contentHash: audit.content_hash, digest: audit.findings_digest,
               csrf: session.csrf_token};
    document.getElementById('sign-version').textContent = version;
    document.getElementById('sign-hash').textContent = audit.content_hash || '';
    document.getElementById('sign-digest').textContent = audit.findings_digest || '';
    await renderHistory(version);
    renderFindingChanges(audit);
    document.body.dataset.loaded = 'true';
  } catch (e) {
    message.textContent = '无法显示：' + e.message;
    message.classList.add('error');
    document.body.dataset.loaded = 'error';
  }
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('review-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const message = document.getElementById('review-message');
    const decision = document.getElementById('decision').value;
    const reason = document.getElementById('reason').value.trim();
    if (decision === 'REJECT' && !reason) {
      message.textContent = '退回须写明理由。';
      return;
    }
    try {
      const s = await signOff({kind: 'REVIEW', review_kind: document.getElementById('review-kind').value,
                               decision, reason});
      message.textContent = '已签署：' + s.name + '（审查人 ' + s.reviewer + '）';
      load();
    } catch (e) {
      message.textContent = '签署未成功：' + e.message;
    }
  });
  load();
});
