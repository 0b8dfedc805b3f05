// The check page (docs/console.md, "Check a published file"): the file is
// hashed in the browser (it is not uploaded); the console names the
// versions whose published document it is, with their verification
// bundles; the browser verifies each bundle itself (verify.js, the checks
// of reportctl verify) and says whether the file is a cleared version,
// whose, of which year, and who reviewed it.
'use strict';

async function checkFile(event) {
  event.preventDefault();
  const message = document.getElementById('message');
  const results = document.getElementById('results');
  results.replaceChildren();
  document.body.dataset.verdict = '';
  const file = document.getElementById('file').files[0];
  if (!file) { message.textContent = '请选择文件。'; return; }
  try {
    const sha = 'sha256:' + hex(await sha256(new Uint8Array(await file.arrayBuffer())));
    document.getElementById('sha256').textContent = sha;
    const [keyAnswer, found] = await Promise.all([
      getJson('/api/ledger/key'), getJson('/api/documents/' + sha + '/bundles')]);
    const {key} = await ledgerKey(keyAnswer.public_key_pem || '');
    const versions = found.versions || [];
    if (!versions.length) {
      message.textContent = '没有以此文件为发布文件的报告版本（或您无权查看）：此文件不是经审查的发布文件，或已被改动。';
      document.body.dataset.verdict = 'unknown';
      return;
    }
    let cleared = 0;
    for (const v of versions) {
      const box = el('section', '', 'ledger result');
      box.dataset.version = v.version;
      box.append(el('h3', v.version));
      if (!v.bundle) {
        box.append(el('p', '无法取得审查证明：' + (v.error || ''), 'check bad'));
        results.append(box);
        continue;
      }
      const r = await verifyBundle(bytes(v.bundle), key, sha);
      // The service's word on what the bundle cannot prove: no later version.
      const superseded = v.latest === false;
      if (superseded) r.checks.push({name: '最新版本', ok: false, detail: '已有更新的版本：此文件不是该报告最新的经审查版本'});
      const ok = r.ok && !superseded;
      if (ok) cleared++;
      box.dataset.ok = String(ok);
      box.append(el('p', ok ? '✓ 此文件是经三项审查通过的发布版本' :
                     superseded && r.ok ? '✗ 此文件曾经审查通过，但该报告已有更新的版本' : '✗ 此文件未通过核验',
                     'check ' + (ok ? 'ok' : 'bad')));
      const facts = el('table', '', 'facts');
      for (const [k, val] of [['机关', r.report.agency + '（' + r.report.agency_id + '）'], ['年度', r.report.year],
                              ['标题', r.report.title]]) {
        const tr = el('tr');
        tr.append(el('th', k), el('td', val));
        facts.append(tr);
      }
      box.append(facts);
      const reviews = el('ul', '', 'reviews');
      for (const x of r.reviews) reviews.append(el('li', x.kind + ' ' + x.decision + ' · ' + x.reviewer));
      box.append(reviews);
      const list = el('ul', '', 'checks');
      for (const c of r.checks) {
        list.append(el('li', (c.ok ? '✓ ' : '✗ ') + c.name + (c.detail ? '：' + c.detail : ''), 'check ' + (c.ok ? 'ok' : 'bad')));
      }
      box.append(list);
      results.append(box);
    }
    message.textContent = cleared ? '核验完成。' : '核验完成：没有经审查通过的版本。';
    document.body.dataset.verdict = cleared ? 'cleared' : 'not-cleared';
  } catch (e) {
    message.textContent = '无法核验：' + e.message;
    document.body.dataset.verdict = 'error';
  }
}

document.addEventListener('DOMContentLoaded', async () => {
  try {
    const session = await getJson('/api/session');
    document.getElementById('user').textContent = session.principal;
  } catch (e) { /* the check itself says why */ }
  document.getElementById('check-form').addEventListener('submit', checkFile);
  document.body.dataset.loaded = 'true';
});
