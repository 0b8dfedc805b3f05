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
const ENTRY_PREFIX = 'disclosure ledger entry v1';

const bytes = (s) => Uint8Array.from(atob(s || ''), (c) => c.charCodeAt(0));
const utf8 = (s) => new TextEncoder().encode(s);
const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

function bigEndian64(n) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, false);
  return b;
}

async function sha256(b) { return new Uint8Array(await crypto.subtle.digest('SHA-256', b)); }
const leafHash = (entry) => sha256(concat(Uint8Array.of(0), entry));
const nodeHash = (l, r) => sha256(concat(Uint8Array.of(1), l, r));

// RFC 9162 §2.1.3.2.
async function verifyInclusion(index, size, leaf, proof, root) {
  if (index >= size) return false;
  let fn = index, sn = size - 1n, r = leaf;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n && same(r, root);
}

// RFC 9162 §2.1.4.2.
async function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
  if (first === second) return proof.length === 0 && same(firstRoot, secondRoot);
  if (first === 0n) return proof.length === 0;
  if (first > second || proof.length === 0) return false;
  const path = (first & (first - 1n)) === 0n ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1n, sn = second - 1n;
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = path[0], sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n && same(fr, firstRoot) && same(sr, secondRoot);
}

// "<origin>\n<size>\n<base64 root>\n", strictly (core/ledger/checkpoint.h).
function parseCheckpoint(body) {
  const m = /^([\x21-\x7e][\x20-\x7e]*)\n(0|[1-9][0-9]{0,18})\n([A-Za-z0-9+/]{43}=)\n$/.exec(body);
  if (!m) return null;
  return {origin: m[1], size: BigInt(m[2]), root: bytes(m[3])};
}

// The protobuf wire format, as far as a LedgerEntry needs: field number →
// list of values (Uint8Array for length-delimited fields, BigInt for varints).
function decodeFields(b) {
  const fields = {};
  let i = 0;
  const varint = () => {
    let v = 0n, shift = 0n;
    for (;;) {
      if (i >= b.length || shift > 63n) throw new Error('protobuf: bad varint');
      const x = b[i++];
      v |= BigInt(x & 0x7f) << shift;
      if (!(x & 0x80)) return v;
      shift += 7n;
    }
  };
  while (i < b.length) {
    const key = varint();
    const number = Number(key >> 3n), type = Number(key & 7n);
    let value;
    if (type === 0) value = varint();
    else if (type === 2) {
      const n = Number(varint());
      if (i + n > b.length) throw new Error('protobuf: truncated');
      value = b.subarray(i, i + n);
      i += n;
    } else if (type === 1) { i += 8; continue; } else if (type === 5) { i += 4; continue; } else {
      throw new Error('protobuf: wire type ' + type);
    }
    (fields[number] = fields[number] || []).push(value);
  }
  return fields;
}

const text = (f, n) => (f[n] ? new TextDecoder().decode(f[n][0]) : '');
const REVIEW_KINDS = {1: '合法性审查', 2: '规范性审查', 3: '保密性审查'};
const DECISIONS = {1: '通过', 2: '退回'};
const SIGN_OFF_KINDS = {1: '审查', 2: '豁免', 3: '确认'};

// What an entry says: {version, contentHash, text}.
function readEntry(entry) {
  const top = decodeFields(entry);
  if (top[1]) {
    const a = decodeFields(top[1][0]);
    return {version: text(a, 1), contentHash: text(a, 2),
            text: '审核 · 发现摘要 ' + text(a, 4).slice(0, 16) + '…'};
  }
  if (top[2]) {
    const s = decodeFields(top[2][0]);
    const num = (n) => (s[n] ? Number(s[n][0]) : 0);
    const what = num(4) === 1 ? (REVIEW_KINDS[num(5)] || '审查') + ' ' + (DECISIONS[num(6)] || '')
                               : (SIGN_OFF_KINDS[num(4)] || '签署') + ' ' + text(s, 9);
    return {version: text(s, 2), contentHash: text(s, 3),
            text: what + ' · ' + text(s, 11) + (text(s, 15) ? '（经 ' + text(s, 15) + '）' : '')};
  }
  return {version: '', contentHash: '', text: '（未知记录）'};
}

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
    const der = bytes(keyPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''));
    const fingerprint = hex(await sha256(der));
    document.getElementById('cp-key').textContent = fingerprint;
    const keptKey = localStorage.getItem(KEPT_KEY);
    if (keptKey && keptKey !== fingerprint) {
      alarm('账本公钥与本浏览器此前记录的不同（此前 ' + keptKey + '）。未作任何验证。');
      document.body.dataset.loaded = 'true';
      return;
    }
    localStorage.setItem(KEPT_KEY, fingerprint);
    const key = await crypto.subtle.importKey('spki', der, {name: 'Ed25519'}, false, ['verify']);

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
        const leaf = await leafHash(entry);
        const message = concat(utf8(ENTRY_PREFIX), Uint8Array.of(0), utf8(cp.origin), Uint8Array.of(0),
                               bigEndian64(index), leaf);
        const signed = await crypto.subtle.verify('Ed25519', key, bytes(p.entry_signature), message);
        const included = await verifyInclusion(index, cp.size, leaf, (p.hashes || []).map(bytes), cp.root);
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
