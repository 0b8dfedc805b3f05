#!/usr/bin/python3
"""Verify a disclosure verification bundle offline, independently of the
project's C++ code: only Python's standard library and Debian's
python3-cryptography (Ed25519). The format and every check are in
docs/ledger.md ("The bundle"); reportctl verify makes the same checks.

Usage:
  verify_bundle.py BUNDLE.binpb --ledger-public-key ledger.pub [--document FILE]
                   [--ledger-state FILE]

--ledger-state: a checkpoint kept before (the text-format SignedCheckpoint
`reportctl ledger verify` keeps); the bundle's checkpoint must extend it.

BUNDLE is a binary disclosure.v1.VerificationBundle (`reportctl bundle
VERSION --out FILE`). Prints each check (✓/✗) in Chinese; exits 0 when all
pass, 1 when one fails, 2 when the input cannot be read.
"""
import argparse
import base64
import hashlib
import re
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import load_pem_public_key

# ---------------------------------------------------------------- protobuf
# Only the wire format: field number -> list of values (bytes for
# length-delimited fields, int for varints).


def fields(data):
    out, i = {}, 0

    def varint():
        nonlocal i
        v, shift = 0, 0
        while True:
            if i >= len(data) or shift > 63:
                raise ValueError("bad varint")
            b = data[i]
            i += 1
            v |= (b & 0x7F) << shift
            if not b & 0x80:
                return v
            shift += 7

    while i < len(data):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            value = varint()
        elif wire == 2:
            n = varint()
            if i + n > len(data):
                raise ValueError("truncated field")
            value = data[i:i + n]
            i += n
        elif wire == 1:
            i += 8
            continue
        elif wire == 5:
            i += 4
            continue
        else:
            raise ValueError(f"wire type {wire}")
        out.setdefault(number, []).append(value)
    return out


def one(f, n, default=b""):
    return f.get(n, [default])[-1]


def text(f, n):
    return one(f, n).decode("utf-8")


def number(f, n):
    return one(f, n, 0)

# ------------------------------------------------------------------ hashes


def sha256(b):
    return hashlib.sha256(b).digest()


def leaf_hash(entry):
    return sha256(b"\x00" + entry)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, proof):
    """RFC 9162 section 2.1.4.2; equal sizes need equal roots."""
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if first > second or not proof:
        return False
    path = [first_root] + proof if first & (first - 1) == 0 else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


def text_format_bytes(quoted):
    """A protobuf text-format string literal (C escapes) as bytes."""
    out, i = bytearray(), 0
    simple = {"n": 10, "r": 13, "t": 9, '"': 34, "'": 39, "\\": 92, "a": 7, "b": 8, "f": 12, "v": 11}
    while i < len(quoted):
        ch = quoted[i]
        if ch != "\\":
            out += ch.encode("utf-8")
            i += 1
            continue
        nxt = quoted[i + 1]
        if nxt in simple:
            out.append(simple[nxt])
            i += 2
        elif nxt == "x":
            j = i + 2
            while j < len(quoted) and j < i + 4 and quoted[j] in "0123456789abcdefABCDEF":
                j += 1
            out.append(int(quoted[i + 2:j], 16))
            i = j
        else:
            j = i + 1
            while j < len(quoted) and j < i + 4 and quoted[j] in "01234567":
                j += 1
            out.append(int(quoted[i + 1:j], 8) & 0xFF)
            i = j
    return bytes(out)


def parse_checkpoint(body):
    m = re.fullmatch(rb"([\x21-\x7e][\x20-\x7e]*)\n(0|[1-9][0-9]{0,19})\n([A-Za-z0-9+/]{43}=)\n", body)
    return (m.group(1), int(m.group(2)), base64.b64decode(m.group(3))) if m else None


def findings_digest(findings):
    h = hashlib.sha256()
    for f in findings:
        h.update(len(f).to_bytes(8, "big") + f)
    return "sha256:" + h.hexdigest()

# ------------------------------------------------------------------- checks

REVIEW, WAIVER = 1, 2
APPROVE, REJECT = 1, 2
ERROR = 3
KINDS = {1: "合法性审查", 2: "规范性审查", 3: "保密性审查"}


def place(location):
    loc = fields(location)
    return (text(loc, 2), number(loc, 7), number(loc, 8))  # field_path, start, end


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle")
    parser.add_argument("--ledger-public-key", required=True)
    parser.add_argument("--document")
    parser.add_argument("--ledger-state")
    args = parser.parse_args()
    try:
        bundle = fields(open(args.bundle, "rb").read())
        key = load_pem_public_key(open(args.ledger_public_key, "rb").read())
        document = open(args.document, "rb").read() if args.document else None
        state = None
        if args.ledger_state:
            saved = dict(re.findall(r'^(body|signature): "((?:[^"\\]|\\.)*)"$',
                                    open(args.ledger_state, encoding="utf-8").read(), re.M))
            state = (text_format_bytes(saved["body"]), text_format_bytes(saved["signature"]))
    except (OSError, ValueError, KeyError, IndexError) as e:
        print(f"无法读取：{e}")
        return 2

    results = []

    def check(name, ok, detail):
        results.append(ok)
        print(("✓ " if ok else "✗ ") + name + "：" + detail)
        return ok

    # 1. The checkpoint.
    cp = fields(one(bundle, 7))
    body, signature = one(cp, 1), one(cp, 2)
    try:
        key.verify(signature, body)
        signed = True
    except InvalidSignature:
        signed = False
    parsed = parse_checkpoint(body)
    if not check("检查点签名", signed and parsed is not None,
                 "有效" if signed and parsed else "无效，不是该账本公钥签署的检查点"):
        return 1
    origin, size, root = parsed

    # The checkpoint extends the one kept before.
    if state is not None:
        try:
            key.verify(state[1], state[0])
            kept = parse_checkpoint(state[0])
        except InvalidSignature:
            kept = None
        proof = bundle.get(9, [])
        if kept is None:
            ok, why = False, "保存的账本状态签名无效"
        elif kept[0] != origin or kept[1] > size:
            ok, why = False, "保存的账本状态属于另一账本，或比检查点新"
        elif kept[1] < size and number(bundle, 8) != kept[1]:
            ok, why = False, "证明包没有从保存的账本状态起的一致性证明"
        else:
            ok = verify_consistency(kept[1], size, kept[2], root, [] if kept[1] == size else proof)
            why = f"一致（保存时 {kept[1]} 条）" if ok else "检查点与保存的账本状态不一致：账本历史被改写或出现分叉"
        check("与保存的账本状态一致", ok, why)

    # 2. The report and the findings.
    version = text(bundle, 1)
    report = one(bundle, 2)
    content_hash = text(bundle, 3)
    check("报告内容摘要", "sha256:" + hashlib.sha256(report).hexdigest() == content_hash, content_hash)
    published = fields(one(fields(report), 12))
    document_sha256 = text(published, 1)
    findings = bundle.get(4, [])
    digest = text(bundle, 5)
    check("审核发现摘要", findings_digest(findings) == digest, f"{len(findings)} 条发现")

    # 3. The entries.
    entries = bundle.get(6, [])
    sign_offs = []
    for i, raw in enumerate(entries):
        e = fields(raw)
        index, entry, entry_sig = number(e, 1), one(e, 2), one(e, 3)
        leaf = leaf_hash(entry)
        included = verify_inclusion(index, size, leaf, e.get(4, []), root)
        check(f"账本第 {index} 条记录：包含证明", included,
              "在检查点的账本内" if included else "不在检查点的账本内")
        message = b"disclosure ledger entry v1\x00" + origin + b"\x00" + index.to_bytes(8, "big") + leaf
        try:
            key.verify(entry_sig, message)
            ok = True
        except InvalidSignature:
            ok = False
        check(f"账本第 {index} 条记录：记录签名", ok,
              "由审核服务写入" if ok else "签名无效：不是审核服务写入的记录")
        le = fields(entry)
        if i == 0:
            a = fields(one(le, 1))
            check("审核记录", 1 in le and text(a, 1) == version and text(a, 2) == content_hash
                  and text(a, 4) == digest and text(a, 5) == document_sha256, version)
            continue
        s = fields(one(le, 2))
        same = (2 in le and text(s, 2) == version and text(s, 3) == content_hash
                and text(s, 8) == digest and text(s, 16) == document_sha256)
        if check(f"账本第 {index} 条记录：签署", same, text(s, 11)):
            sign_offs.append(s)

    # 3b. All of the version's entries: the service signed the list.
    indices = [number(fields(raw), 1) for raw in entries]
    statement = (b"disclosure bundle v1\x00" + origin + b"\x00" + version.encode("utf-8") + b"\x00"
                 + size.to_bytes(8, "big") + b"".join(i.to_bytes(8, "big") for i in indices))
    try:
        ordered = all(a < b for a, b in zip(indices, indices[1:])) and all(i < size for i in indices)
        key.verify(one(bundle, 11), statement)
        complete = ordered
    except InvalidSignature:
        complete = False
    check("证明包完整性", complete,
          f"审核服务签署：这 {len(indices)} 条即本版本在检查点内的全部记录" if complete
          else "审核服务的签署与这些记录不符：证明包中的记录被删去、增加或调换了顺序")

    # 4. Cleared: every error waived, every review kind approved.
    blockers = []
    waived = {(text(s, 9), place(one(s, 10))) for s in sign_offs if number(s, 4) == WAIVER}
    for raw in findings:
        f = fields(raw)
        if number(f, 2) == ERROR and (text(f, 1), place(one(f, 4))) not in waived:
            blockers.append(f"错误“{text(f, 1)}”未豁免")
    for kind, name in KINDS.items():
        latest = {}
        for s in sign_offs:
            if number(s, 4) == REVIEW and number(s, 5) == kind:
                latest[text(s, 11)] = number(s, 6)
        decisions = set(latest.values())
        if REJECT in decisions:
            blockers.append(name + "未通过")
        elif APPROVE not in decisions:
            blockers.append("尚缺" + name)
    check("审查结论", not blockers, "三项审查均已通过，无未豁免的错误" if not blockers
          else "未获准发布：" + "；".join(blockers))

    # 5. The file.
    if document is not None:
        given = "sha256:" + hashlib.sha256(document).hexdigest()
        check("发布文件", bool(document_sha256) and given == document_sha256,
              "与审查的文件逐字节相同" if given == document_sha256 else f"不是审查的文件（{given}）")

    print("验证通过" if all(results) else "验证未通过")
    return 0 if all(results) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (ValueError, UnicodeDecodeError, IndexError) as e:  # damaged input
        print(f"无法读取证明包：{e}")
        sys.exit(2)
