// The ledger page (docs/console.md, "Ledger"): the browser as a witness of
// the audit ledger. It checks, with WebCrypto and nothing the server says
// about the result:
//   - the checkpoint's Ed25519 signature, with the ledger key; the key's
//     fingerprint is kept in this browser and a different key is an alarm;
//   - that the checkpoint extends the last one this browser kept
//     (RFC 9162 §2.1.4.2 consistency proof); a shorter ledger, another root
//     at the same size or a proof that fails is an alarm (a split view or a
//     rewritten history), and the kept checkpoint is then not replaced;
//   - for a report version: each of its ledger entries (the audit, every
//     sign-off): the entry's signature, its inclusion proof (RFC 9162
//     §2.1.3.2) under the checkpoint's root, and that it names this version
//     and content hash.
// Hashes as docs/ledger.md: leaf SHA-256(0x00 || entry), node
// SHA-256(0x01 || left || right).
'use strict';

const KEPT_KEY = 'disclosure.ledger.key';
const KEPT_CHECKPOINT = 'disclosure.ledger.checkpoint';

function alarm(message) {
  const box = document.getElementById('alarm');
  box.hidden = false;
  box.append(el('p', '警报：' + message));
  document.body.dataset.alarm = 'true';
}

function mark(cell, ok, good, bad) {
  cell.replaceChildren(el('span', ok ? '✓ ' + good : '✗ ' + bad, 'check ' + (ok ? 'ok' : 'bad')));
}

async function load() {
  const version = new URLSearchParams(location.search).get('version') || '';
  const message = document.getElementById('message');
  document.body.dataset.alarm = 'false';
  try {
    const session = await getJson('/api/session');
    document.getElementById('user').textContent = session.principal;
    // The key, and whether it is the one this browser saw before.
    const keyPem = (await getJson('/api/ledger/key')).public_key_pem || '';
    const {der, key} = await ledgerKey(keyPem);
    const fingerprint = hex(await sha256(der));
    document.getElementById('cp-key').textContent = fingerprint;
    const keptKey = localStorage.getItem(KEPT_KEY);
    if (keptKey && keptKey !== fingerprint) {
      alarm('账本公钥与本浏览器此前记录的不同（此前 ' + keptKey + '）。未作任何验证。');
      document.body.dataset.loaded = 'true';
      return;
    }
    localStorage.setItem(KEPT_KEY, fingerprint);

    // The checkpoint: signed by that key, and well formed.
    const signed = await getJson('/api/ledger/checkpoint');
    const signatureOk = await crypto.subtle.verify('Ed25519', key, bytes(signed.signature), utf8(signed.body || ''));
    const cp = signatureOk ? parseCheckpoint(signed.body || '') : null;
    mark(document.getElementById('cp-signature'), cp !== null, '有效（账本密钥签署）',
         signatureOk ? '检查点格式不符' : '签名无效');
    if (!cp) {
      alarm(signatureOk ? '检查点格式不符。' : '检查点签名无效：服务器给出的检查点不是账本密钥签署的，或已被篡改。');
      document.body.dataset.loaded = 'true';
      return;
    }
    document.getElementById('cp-origin').textContent = cp.origin;
    document.getElementById('cp-size').textContent = String(cp.size);
    document.getElementById('cp-root').textContent = hex(cp.root);

    // Consistent with the checkpoint this browser kept?
    const keptText = localStorage.getItem(KEPT_CHECKPOINT);
    const kept = keptText ? parseCheckpoint(keptText) : null;
    const consistency = document.getElementById('cp-consistency');
    let consistent = true;
    if (!kept) {
      consistency.textContent = '本浏览器首次保存检查点';
    } else if (kept.origin !== cp.origin) {
      consistent = false;
      alarm('检查点属于另一账本（' + cp.origin + '，此前为 ' + kept.origin + '）。');
    } else if (cp.size < kept.size) {
      consistent = false;
      alarm('账本记录数从 ' + kept.size + ' 变为 ' + cp.size + '：账本被截短或回退。');
    } else {
      let proof = [];
      if (cp.size > kept.size && kept.size > 0n) {
        proof = ((await getJson('/api/ledger/consistency?old=' + kept.size + '&new=' + cp.size)).hashes || []).map(bytes);
      }
      consistent = await verifyConsistency(kept.size, cp.size, kept.root, cp.root, proof);
      if (!consistent) {
        alarm('检查点（' + cp.size + ' 条）与本浏览器保存的检查点（' + kept.size + ' 条）不一致：' +
              '账本历史被改写，或服务器向不同用户出示了不同的账本。');
      }
    }
    if (kept) {
      mark(consistency, consistent, '一致（此前 ' + kept.size + ' 条）', '不一致（此前 ' + kept.size + ' 条）');
    }
    if (consistent) localStorage.setItem(KEPT_CHECKPOINT, signed.body);

    // The report's entries.
    if (version) {
      document.getElementById('version').textContent = version;
      const [audit, signOffs] = await Promise.all([
        getJson('/api/' + version + '/audit'), getJson('/api/' + version + '/signOffs')]);
      const rows = [{index: audit.ledger_index || 0}];
      for (const s of signOffs.sign_offs || []) rows.push({index: s.ledger_index || 0});
      const tbody = document.querySelector('#entries tbody');
      tbody.replaceChildren();
      for (const row of rows) {
        const index = BigInt(row.index);
        const tr = el('tr');
        tr.dataset.index = String(index);
        const cells = [el('td', String(index)), el('td'), el('td'), el('td'), el('td'), el('td')];
        tr.append(...cells);
        tbody.append(tr);
        const p = await getJson('/api/ledger/entries/' + index + '?tree_size=' + cp.size);
        const entry = bytes(p.entry);
        const {leaf, signed, included} =
            await checkEntry(key, cp, index, entry, bytes(p.entry_signature), (p.hashes || []).map(bytes));
        let said = {version: '', contentHash: '', text: '（无法解析）'};
        try { said = readEntry(entry); } catch (e) { /* shown as not this version */ }
        const names = said.version === version && said.contentHash === audit.content_hash;
        cells[1].textContent = said.text;
        cells[2].append(el('code', hex(leaf).slice(0, 16) + '…'));
        mark(cells[3], signed, '有效', '无效');
        mark(cells[4], included, '在检查点内', '证明失败');
        mark(cells[5], names, '是', '否');
        tr.className = signed && included && names ? 'ok' : 'bad';
        if (!signed) alarm('第 ' + index + ' 条记录的签名无效：它不是审核服务写入的。');
        if (!included) alarm('第 ' + index + ' 条记录不在签名检查点的账本内。');
        if (!names) alarm('第 ' + index + ' 条记录不是本版本（' + version + '）的。');
      }
    }
    message.textContent = document.body.dataset.alarm === 'true' ? '验证未通过。' : '全部验证通过。';
    document.body.dataset.loaded = 'true';
  } catch (e) {
    message.textContent = '无法验证：' + e.message;
    message.classList.add('error');
    document.body.dataset.loaded = 'error';
  }
}

document.addEventListener('DOMContentLoaded', load);
