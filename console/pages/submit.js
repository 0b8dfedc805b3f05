// The submit page (docs/console.md): a clerk uploads the report as the
// agency published it; the console reads it (in a child process) and dry-
// runs the audit; the page shows what the importer noticed and every
// finding on the report as it was read; the clerk then submits exactly that
// report and is taken to its audit. Text from the document is set with
// textContent only.
'use strict';

const MAX_BYTES = 32 << 20;
let session = null, template = null, imported = null, published = null;

// The file's bytes as base64 (the JSON mapping of protobuf bytes).
function base64(buffer) {
  const b = new Uint8Array(buffer);
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

// Where in the document: 第 N 行, or 第 P 页（x, y）.
function sourceOf(d) {
  if (d.page) return '第 ' + d.page + ' 页（' + (d.x || 0) + ', ' + (d.y || 0) + '）';
  if (d.line) return '第 ' + d.line + ' 行';
  return '';
}

function noteItem(d) {
  const li = el('li', '', 'finding ' + (d.level === 'UNPLACED' ? 'ERROR' : 'INFO'));
  li.dataset.level = d.level || '';
  li.append(el('span', d.level === 'UNPLACED' ? '未能读取' : '说明', 'severity'), ' ');
  const where = [sourceOf(d), d.section].filter(Boolean).join(' · ');
  if (where) li.append(el('span', where, 'where'), ' ');
  li.append(el('div', d.message || '', 'text'));
  if (d.text) li.append(el('div', '原文：' + d.text, 'meta'));
  if (d.expected) li.append(el('div', '应为：' + d.expected, 'meta'));
  if (d.inferred) li.append(el('div', '此处数值为推断，请与原文核对', 'meta'));
  return li;
}

async function importDocument(event) {
  event.preventDefault();
  const message = document.getElementById('message');
  const file = document.getElementById('document').files[0];
  if (!file) { message.textContent = '请选择文档。'; return; }
  if (file.size > MAX_BYTES) { message.textContent = '文档超过 32 MiB 的上限。'; return; }
  message.textContent = '正在读取 ' + file.name + '（扫描件可能需要一分钟）…';
  message.classList.remove('error');
  document.getElementById('import').disabled = true;
  try {
    const bytes = await file.arrayBuffer();
    const r = await fetch('/api/import?format=' + encodeURIComponent(document.getElementById('format').value), {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/octet-stream', 'X-CSRF-Token': session.csrf_token},
      body: bytes,
    });
    const answer = await r.json().catch(() => ({message: r.statusText}));
    if (!r.ok) throw new Error(answer.message || r.statusText);
    show(answer);
    // The file is what the agency publishes: it goes with the version (up
    // to submit_service's 16 MiB), so the reviews bind it.
    published = bytes.byteLength <= (16 << 20) ? bytes : null;
    message.textContent = '已读取，请核对读取说明和预审发现后提交。';
    document.body.dataset.imported = 'true';
  } catch (e) {
    message.textContent = '无法读取：' + e.message;
    message.classList.add('error');
    document.body.dataset.imported = 'error';
  } finally {
    document.getElementById('import').disabled = false;
  }
}

function show(answer) {
  imported = answer.imported || {};
  const report = imported.report || {};
  const notes = imported.diagnostics || [];
  const findings = (answer.validation || {}).findings || [];
  document.getElementById('result').hidden = false;
  document.getElementById('title').textContent = report.title || '（未读到标题）';
  const errors = findings.filter((f) => f.severity === 'ERROR').length;
  const unplaced = notes.filter((d) => d.level === 'UNPLACED').length;
  document.getElementById('summary').textContent =
      '读取格式：' + (imported.format || '') + ' · 读取说明 ' + notes.length + ' 条（未能读取 ' + unplaced +
      ' 处） · 预审发现 ' + findings.length + ' 条（错误 ' + errors + ' 条）';
  if (report.year) document.getElementById('year').value = report.year;
  if (report.agency && report.agency.id) document.getElementById('agency').value = report.agency.id;
  const list = document.getElementById('notes');
  list.replaceChildren(...notes.map(noteItem));
  document.getElementById('note-count').textContent = notes.length;
  document.getElementById('notes-box').hidden = notes.length === 0;
  renderReport(document.getElementById('parts'), document.getElementById('findings'), template, report, findings);
  document.getElementById('finding-count').textContent = findings.length;
  document.getElementById('findings-box').hidden = false;
}

async function submitReport(event) {
  event.preventDefault();
  const message = document.getElementById('submit-message');
  const agency = document.getElementById('agency').value.trim();
  const year = document.getElementById('year').value.trim();
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(agency) || !/^[0-9]{4}$/.test(year)) {
    message.textContent = '请填写机关代码和四位年度。';
    return;
  }
  const report = Object.assign({}, imported.report);
  report.agency = Object.assign({}, report.agency || {}, {id: agency});
  const parent = 'agencies/' + agency + '/reports/' + year;
  document.getElementById('submit').disabled = true;
  try {
    // The version this one follows: none, or the latest there is.
    let latest = 0;
    try {
      const versions = await getJson('/api/' + parent + '/versions');
      for (const v of versions.versions || []) latest = Math.max(latest, Number(v.version || 0));
    } catch (e) { /* no version yet */ }
    const id = Array.from(crypto.getRandomValues(new Uint8Array(16)),
                          (b) => b.toString(16).padStart(2, '0')).join('');
    const r = await fetch('/api/' + parent + '/versions', {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token, 'X-Request-Id': id},
      body: JSON.stringify(Object.assign({report, expected_latest_version: latest},
                                         published ? {document: base64(published)} : {})),
    });
    const answer = await r.json().catch(() => ({message: r.statusText}));
    if (!r.ok) throw new Error(answer.message || r.statusText);
    const version = (answer.version || {}).name;
    message.textContent = '已提交：' + version + '，正在等待审核结果…';
    document.body.dataset.submitted = version;
    // Its audit, then the report page with it.
    for (let i = 0; i < 40; i++) {
      const a = await fetch('/api/' + version + '/audit', {credentials: 'same-origin'});
      if (a.ok) { location.href = '/report?version=' + encodeURIComponent(version); return; }
      await new Promise((done) => setTimeout(done, 500));
    }
    const link = el('a', '查看审核结果');
    link.href = '/report?version=' + encodeURIComponent(version);
    message.append(' ', link);
  } catch (e) {
    message.textContent = '提交未成功：' + e.message;
    document.body.dataset.submitted = 'error';
  } finally {
    document.getElementById('submit').disabled = false;
  }
}

document.addEventListener('DOMContentLoaded', async () => {
  try {
    [session, template] = await Promise.all([getJson('/api/session'), getJson('/api/template')]);
    document.getElementById('user').textContent = session.principal;
    document.body.dataset.loaded = 'true';
  } catch (e) {
    document.getElementById('message').textContent = '无法显示：' + e.message;
    document.body.dataset.loaded = 'error';
    return;
  }
  document.getElementById('import-form').addEventListener('submit', importDocument);
  document.getElementById('submit-form').addEventListener('submit', submitReport);
});
