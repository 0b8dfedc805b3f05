#!/usr/bin/python3
"""Writes a seed of fuzz_ocr_layout (its input format: ocr_layout_fuzzer.cc)
from the words of a PDF's text layer, as `pdftotext -bbox` (poppler-utils)
gives them: the boxes OCR would give for a clean scan of that PDF.

Usage: make_ocr_layout_seed.py PDF OUT
"""
import re
import subprocess
import sys

html = subprocess.run(["pdftotext", "-bbox", sys.argv[1], "-"], capture_output=True,
                      text=True, check=True).stdout
out = bytearray()
first = True
for page in re.findall(r"<page[^>]*>(.*?)</page>", html, re.S):
    if not first:
        out += bytes([0, 0, 0, 0, 0, 0, 0, 255])
    first = False
    for x0, y0, x1, y1, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', html
            if False else page):
        t = (text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
             .replace("&quot;", '"').encode("utf-8"))[:254]
        x, y = int(float(x0) * 4) & 0xFFFF, int(float(y0) * 4) & 0xFFFF
        w, h = min(255, int(float(x1) - float(x0))), min(255, int(float(y1) - float(y0)))
        out += bytes([x >> 8, x & 255, y >> 8, y & 255, w, h, 230, len(t)]) + t
open(sys.argv[2], "wb").write(out)
print(f"{sys.argv[2]}: {len(out)} bytes")
