#!/usr/bin/python3
"""Imports documents with reportctl and compares them with the report they were made from.

Usage: compare_import.py REPORTCTL REPORT.json DOC [DOC ...]

For each DOC prints one line: name, cells wrong/missing (out of all), the
narrative parts that differ (whitespace aside), the findings `validate`
gives that the source JSON itself does not (false findings), then the
wrong cells (path: expected -> got) indented. Exit 0.
"""

import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_documents as md  # noqa: E402


def cell_paths():
    paths = []
    for t in md.TABLES:
        for row in t.rows:
            for c in row:
                if c.path:
                    paths.append(c.path)
    return paths


def squeeze(s):
    return re.sub(r"\s+", "", s or "")


def findings(reportctl, path):
    p = subprocess.run([reportctl, "validate", path], capture_output=True, text=True)
    out = set()
    for line in p.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0] in ("error", "warning", "info"):
            out.add((parts[0], parts[1], re.sub(r" ?\[\d+,\d+\)", "", parts[2])))
    return out, p.stdout + p.stderr


def compare(reportctl, want, want_findings, doc):
    p = subprocess.run([reportctl, "import", doc, "--agency_id", "x"], capture_output=True, text=True)
    name = os.path.basename(doc)
    if p.returncode not in (0, 1) or not p.stdout.strip().startswith("{"):
        return {"name": name, "error": (p.stderr or p.stdout).strip()[:200]}
    got = json.loads(p.stdout)
    wrong = []
    paths = cell_paths()
    for path in paths:
        w, g = md.lookup(want, path), md.lookup(got, path)
        w = None if w is None else str(w)
        g = None if g is None else str(g)
        if w != g:
            wrong.append(f"{path}: {w} -> {g}")
    narr = [f for f in ("title", "overview", "problems_and_improvements", "other_matters")
            if squeeze(md.lookup(want, f)) != squeeze(md.lookup(got, f))]
    f, _ = findings(reportctl, doc)
    false = sorted(f - want_findings)
    missed = sorted(want_findings - f)
    return {"name": name, "cells": len(paths), "wrong": wrong, "narrative": narr,
            "false": false, "missed": missed, "format": got.get("import_record", {}).get("format")}


def main(argv):
    reportctl, report_path, docs = argv[1], argv[2], argv[3:]
    want = json.load(open(report_path, encoding="utf-8"))
    want_findings, _ = findings(reportctl, report_path)
    for doc in docs:
        r = compare(reportctl, want, want_findings, doc)
        if "error" in r:
            print(f"{r['name']}\tERROR\t{r['error']}")
            continue
        false = ", ".join(f"{lvl} {rule} {loc}" for lvl, rule, loc in r["false"]) or "-"
        print(f"{r['name']}\t{r['format']}\t{len(r['wrong'])}/{r['cells']}\t"
              f"narr:{','.join(r['narrative']) or '-'}\tfalse:{false}")
        for w in r["wrong"][:40]:
            print("    " + w)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
