// What the ledger and check pages verify with, in the browser (WebCrypto
// SHA-256 and Ed25519, nothing the server says about the result): the
// hashes and proofs of docs/ledger.md (RFC 9162), the checkpoint body, the
// protobuf wire format of ledger entries and bundles, an entry's signed
// message, and a bundle's verification (the checks of reportctl verify).
'use strict';

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

// The last copy of a field, as protobuf reads a repeated scalar.
const text = (f, n) => (f[n] ? new TextDecoder().decode(f[n][f[n].length - 1]) : '');
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

// The message an entry's signature signs (core/ledger/checkpoint.h).
function entryMessage(origin, index, leaf) {
  return concat(utf8(ENTRY_PREFIX), Uint8Array.of(0), utf8(origin), Uint8Array.of(0),
                bigEndian64(index), leaf);
}

// Entry `index` (its bytes, signature and inclusion proof) against the
// checkpoint `cp` ({origin, size, root}): {leaf, signed, included}.
async function checkEntry(key, cp, index, entry, signature, proof) {
  const leaf = await leafHash(entry);
  const signed = await crypto.subtle.verify('Ed25519', key, signature, entryMessage(cp.origin, index, leaf));
  const included = await verifyInclusion(index, cp.size, leaf, proof, cp.root);
  return {leaf, signed, included};
}

async function ledgerKey(pem) {
  const der = bytes(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''));
  return {der, key: await crypto.subtle.importKey('spki', der, {name: 'Ed25519'}, false, ['verify'])};
}

const one = (f, n) => (f[n] ? f[n][f[n].length - 1] : undefined);
const num = (f, n) => Number(one(f, n) || 0);

// A VerificationBundle's bytes checked as reportctl verify does
// (docs/ledger.md, "The checks"), with `key` (ledgerKey) and the file's
// SHA-256 ("sha256:<hex>"). {checks: [{name, ok, detail}], ok, report:
// {agency, agency_id, year, title}, reviews: [{reviewer, kind, decision}]}.
async function verifyBundle(raw, key, fileSha256) {
  const checks = [];
  const check = (name, ok, detail) => { checks.push({name, ok, detail}); return ok; };
  const b = decodeFields(raw);
  const cp = decodeFields(one(b, 7) || new Uint8Array());
  const body = new TextDecoder().decode(one(cp, 1) || new Uint8Array());
  const signed = await crypto.subtle.verify('Ed25519', key, one(cp, 2) || new Uint8Array(), utf8(body));
  const c = signed ? parseCheckpoint(body) : null;
  const result = {checks, ok: false, report: {}, reviews: []};
  if (!check('检查点签名', c !== null, c ? '有效：账本 ' + c.origin + '，' + c.size + ' 条记录' : '无效')) return result;
  const version = text(b, 1);
  const report = one(b, 2) || new Uint8Array();
  const contentHash = text(b, 3);
  check('报告内容摘要', 'sha256:' + hex(await sha256(report)) === contentHash, contentHash);
  const r = decodeFields(report);
  const agency = decodeFields(one(r, 2) || new Uint8Array());
  result.report = {agency: text(agency, 2), agency_id: text(agency, 1), year: num(r, 3), title: text(r, 4), version};
  const documentSha256 = text(decodeFields(one(r, 12) || new Uint8Array()), 1);
  const findings = b[4] || [];
  const digest = text(b, 5);
  let digestBytes = new Uint8Array();
  for (const f of findings) digestBytes = concat(digestBytes, bigEndian64(BigInt(f.length)), f);
  check('审核发现摘要', 'sha256:' + hex(await sha256(digestBytes)) === digest, findings.length + ' 条发现');
  const proved = [];
  for (const [i, raw] of (b[6] || []).entries()) {
    const e = decodeFields(raw);
    const index = BigInt(one(e, 1) || 0n), entry = one(e, 2) || new Uint8Array();
    const {signed, included} = await checkEntry(key, c, index, entry, one(e, 3) || new Uint8Array(), e[4] || []);
    const at = '账本第 ' + index + ' 条记录';
    check(at + '：包含证明', included, '');
    check(at + '：记录签名', signed, '');
    const le = decodeFields(entry);
    if (i === 0) {
      const a = decodeFields(one(le, 1) || new Uint8Array());
      check('审核记录', !!le[1] && text(a, 1) === version && text(a, 2) === contentHash &&
                        text(a, 4) === digest && text(a, 5) === documentSha256, version);
      continue;
    }
    const s = decodeFields(one(le, 2) || new Uint8Array());
    if (check(at + '：签署', !!le[2] && text(s, 2) === version && text(s, 3) === contentHash &&
                              text(s, 8) === digest && text(s, 16) === documentSha256, text(s, 11))) {
      proved.push(s);
    }
  }
  // All of the version's entries: the service signed the list.
  const indices = (b[6] || []).map((raw) => BigInt(one(decodeFields(raw), 1) || 0n));
  const ordered = indices.every((x, k) => x < c.size && (k === 0 || indices[k - 1] < x));
  const statement = concat(utf8('disclosure bundle v1'), Uint8Array.of(0), utf8(c.origin), Uint8Array.of(0),
                           utf8(version), Uint8Array.of(0), bigEndian64(c.size), ...indices.map(bigEndian64));
  const complete = ordered && await crypto.subtle.verify('Ed25519', key, one(b, 11) || new Uint8Array(), statement);
  check('证明包完整性', complete, complete ? '审核服务签署：这 ' + indices.length + ' 条即本版本的全部记录'
                                           : '证明包中的记录被删去、增加或调换了顺序');
  // Cleared: every error waived, each review kind approved (each
  // reviewer's latest review counts; any rejection rejects).
  const place = (loc) => { const l = decodeFields(loc || new Uint8Array()); return [text(l, 2), num(l, 7), num(l, 8)].join('|'); };
  const waived = new Set(proved.filter((s) => num(s, 4) === 2).map((s) => text(s, 9) + '@' + place(one(s, 10))));
  const blockers = [];
  for (const raw of findings) {
    const f = decodeFields(raw);
    if (num(f, 2) === 3 && !waived.has(text(f, 1) + '@' + place(one(f, 4)))) blockers.push('错误“' + text(f, 1) + '”未豁免');
  }
  for (const [kind, name] of [[1, '合法性审查'], [2, '规范性审查'], [3, '保密性审查']]) {
    const latest = {};
    for (const s of proved) {
      if (num(s, 4) === 1 && num(s, 5) === kind) latest[text(s, 11)] = num(s, 6);
    }
    const decisions = Object.values(latest);
    for (const [reviewer, decision] of Object.entries(latest)) {
      result.reviews.push({reviewer, kind: name, decision: decision === 1 ? '通过' : '退回'});
    }
    if (decisions.includes(2)) blockers.push(name + '未通过');
    else if (!decisions.includes(1)) blockers.push('尚缺' + name);
  }
  check('审查结论', blockers.length === 0, blockers.length ? '未获准发布：' + blockers.join('；') : '三项审查均已通过');
  if (fileSha256 !== undefined) {
    check('发布文件', !!documentSha256 && fileSha256 === documentSha256,
          fileSha256 === documentSha256 ? '与审查的文件逐字节相同' : '不是审查的文件');
  }
  result.ok = checks.every((x) => x.ok);
  return result;
}
