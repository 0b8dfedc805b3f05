#!/usr/bin/python3
"""Render a disclosure.v1.Report (protobuf JSON) into the formats agencies publish.

Usage: make_documents.py REPORT.json TEMPLATE.docx OUTDIR

Writes into OUTDIR:
  report.html       a full saved government web page, UTF-8
  report-gbk.html   the same page in GBK, declared as gb2312
  report.pdf        report.html printed by headless Chromium
  report-own-parts.pdf  the same report laid out as many agencies do instead:
                    their own numbering (二、工作机制保障 …), the three tables
                    under one heading with captions 表一：…, printed by Chromium
  report.docx       TEMPLATE.docx (the blank 2021 national template) filled in
  report-scan.pdf   report.pdf rasterised, degraded and wrapped as an image-only PDF

Every cell of the three tables comes from the JSON: an absent field is an empty
cell, a zero is "0". All outputs but the PDFs (whose dates change) are
byte-identical across runs. See README.md next to this file for the traps each output holds.

Needs: python3 stdlib, python3-pil, img2pdf, chromium, poppler-utils (pdftoppm).
"""

import copy
import html
import io
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from typing import NamedTuple, Optional

try:
    import img2pdf
    from PIL import Image, ImageChops, ImageFilter
except ImportError:
    # A pyenv/venv python3 first on PATH often lacks the Debian packages:
    # fall back to Debian's interpreter, which has python3-pil and img2pdf.
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath(
            "/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    sys.exit("make_documents: needs python3-pil and img2pdf (Debian packages python3-pil, "
             "python3-img2pdf)")

CHROMIUM = "/usr/bin/chromium"
SCAN_SEED = 20211


class Failure(Exception):
    """A problem with the input or a tool; printed without a traceback."""


# =============================================================== the report

def camel(name):
    """protobuf's JSON name: natural_person -> naturalPerson, amount_10k_yuan -> amount10kYuan."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def lookup(obj, path):
    """The JSON value at a dotted snake_case path (either spelling in the file), or None."""
    for name in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(name, obj.get(camel(name)))
        if obj is None:  # absent, or JSON null (the default value: absent for optional)
            return None
    return obj


def cell_text(report, path):
    """The published text of one cell: None when empty, the decimal string for the fee."""
    value = lookup(report, path)
    if value is None:
        return None
    if path.endswith("amount_10k_yuan"):  # a decimal string, kept as published
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise Failure(f"{path}: expected a decimal string, got {value!r}")
        return str(value)
    # int64: protobuf JSON writes it as a string, but numbers are accepted too.
    if isinstance(value, bool) or not isinstance(value, (str, int)) or \
            not re.fullmatch(r"-?[0-9]+", str(value)):
        raise Failure(f"{path}: expected a whole number, got {value!r}")
    return str(int(value))


def narrative(report, field):
    """A narrative part as a list of paragraphs."""
    text = lookup(report, field) or ""
    return [line.strip() for line in text.split("\n") if line.strip()]


def title_of(report):
    title = lookup(report, "title")
    if title:
        return title
    return f"{lookup(report, 'agency.name') or ''}{lookup(report, 'year') or ''}年政府信息公开工作年度报告"


# ============================================================ table layout
#
# One description of the three tables, in the national template's layout, used by
# both the HTML writer (which emits it) and the DOCX writer (which finds each
# value cell in the template by its row label and grid column). A label cell has
# text ("\n" separates paragraphs); a value cell has the dotted path of its field.

class Cell(NamedTuple):
    text: str = ""
    path: Optional[str] = None
    rowspan: int = 1
    colspan: int = 1


def L(text, rowspan=1, colspan=1):
    return Cell(text=text, rowspan=rowspan, colspan=colspan)


def V(path, colspan=1):
    return Cell(path=path, colspan=colspan)


class Table(NamedTuple):
    part: str        # 二 / 三 / 四
    heading: str     # the part heading printed above the table
    marker: str      # a label that identifies the table in the template
    widths: list     # grid column widths in twips, as in the template's w:tblGrid
    rows: list       # list of list of Cell, the origin cells of each row only


DOCUMENT_COLUMNS = ["issued", "repealed", "in_force"]
APPLICANT_COLUMNS = ["natural_person", "commercial_enterprise", "research_institution",
                     "public_interest_organization", "legal_service_agency", "other", "total"]
APPEAL_COLUMNS = ["upheld", "corrected", "other", "pending", "total"]
APPEAL_HEADERS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
APPEAL_BLOCKS = ["administrative_reconsideration", "litigation_direct",
                 "litigation_after_reconsideration"]

# （三）–（六） of 三、本年度办理结果: group label, field, items (label, field).
OUTCOME_GROUPS = [
    ("（三）不予公开", "withheld", [
        ("1.属于国家秘密", "state_secret"),
        ("2.其他法律行政法规禁止公开", "prohibited_by_law"),
        ("3.危及“三安全一稳定”", "endangers_security_or_stability"),
        ("4.保护第三方合法权益", "third_party_rights"),
        ("5.属于三类内部事务信息", "internal_affairs"),
        ("6.属于四类过程性信息", "process_information"),
        ("7.属于行政执法案卷", "enforcement_case_files"),
        ("8.属于行政查询事项", "administrative_query"),
    ]),
    ("（四）无法提供", "unable_to_provide", [
        ("1.本机关不掌握相关政府信息", "not_held"),
        ("2.没有现成信息需要另行制作", "requires_new_compilation"),
        ("3.补正后申请内容仍不明确", "unclear_after_amendment"),
    ]),
    ("（五）不予处理", "not_processed", [
        ("1.信访举报投诉类申请", "petition_or_complaint"),
        ("2.重复申请", "duplicate"),
        ("3.要求提供公开出版物", "publications_requested"),
        ("4.无正当理由大量反复申请", "excessive_repeated"),
        ("5.要求行政机关确认或重新出具已获取信息", "confirm_or_reissue"),
    ]),
    ("（六）其他处理", "other_handling", [
        ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "amendment_overdue"),
        ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "fee_overdue"),
        ("3.其他", "other"),
    ]),
]


def proactive_table():
    p = "proactive_disclosure."
    rows = [
        [L("第二十条第（一）项", colspan=4)],
        [L("信息内容"), L("本年制发件数"), L("本年废止件数"), L("现行有效件数")],
    ]
    for label, field in [("规章", "regulations"), ("行政规范性文件", "normative_documents")]:
        rows.append([L(label)] + [V(f"{p}{field}.{c}") for c in DOCUMENT_COLUMNS])
    for item, items in [("第二十条第（五）项", [("行政许可", "administrative_licensing")]),
                        ("第二十条第（六）项", [("行政处罚", "administrative_penalty"),
                                               ("行政强制", "administrative_coercion")])]:
        rows.append([L(item, colspan=4)])
        rows.append([L("信息内容"), L("本年处理决定数量", colspan=3)])
        for label, field in items:
            rows.append([L(label), V(f"{p}{field}.decisions", colspan=3)])
    rows.append([L("第二十条第（八）项", colspan=4)])
    rows.append([L("信息内容"), L("本年收费金额（单位：万元）", colspan=3)])
    rows.append([L("行政事业性收费"), V(f"{p}administrative_fees.amount_10k_yuan", colspan=3)])
    return Table("二", "二、主动公开政府信息情况", "第二十条第（一）项", [2435] * 4, rows)


def requests_table():
    def values(field):
        return [V(f"requests.{field}.{c}") for c in APPLICANT_COLUMNS]

    rows = [
        [L("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3),
         L("申请人情况", colspan=7)],
        [L("自然人", rowspan=2), L("法人或其他组织", colspan=5), L("总计", rowspan=2)],
        # 商业企业 split over two paragraphs, as CMS pages (and the template) print it.
        [L("商业\n企业"), L("科研机构"), L("社会公益组织"), L("法律服务机构"), L("其他")],
        [L("一、本年新收政府信息公开申请数量", colspan=3)] + values("received"),
        [L("二、上年结转政府信息公开申请数量", colspan=3)] + values("carried_over_from_previous_year"),
    ]
    outcomes = [
        [L("（一）予以公开", colspan=2)] + values("outcomes.disclosed"),
        [L("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", colspan=2)]
        + values("outcomes.partially_disclosed"),
    ]
    for group_label, group_field, items in OUTCOME_GROUPS:
        for i, (label, field) in enumerate(items):
            group = [L(group_label, rowspan=len(items))] if i == 0 else []
            outcomes.append(group + [L(label)] + values(f"outcomes.{group_field}.{field}"))
    outcomes.append([L("（七）总计", colspan=2)] + values("outcomes.total"))
    outcomes[0].insert(0, L("三、本年度办理结果", rowspan=len(outcomes)))
    rows += outcomes
    rows.append([L("四、结转下年度继续办理", colspan=3)] + values("carried_over_to_next_year"))
    return Table("三", "三、收到和处理政府信息公开申请情况", "申请人情况",
                 [754, 921, 3271] + [685] * 7, rows)


def appeals_table():
    rows = [
        [L("行政复议", colspan=5), L("行政诉讼", colspan=10)],
        [L(h, rowspan=2) for h in APPEAL_HEADERS]
        + [L("未经复议直接起诉", colspan=5), L("复议后起诉", colspan=5)],
        [L(h) for h in APPEAL_HEADERS] * 2,
        [V(f"appeals.{b}.{c}") for b in APPEAL_BLOCKS for c in APPEAL_COLUMNS],
    ]
    return Table("四", "四、政府信息公开行政复议、行政诉讼情况", "行政复议", [649] * 7 + [650] * 8, rows)


TABLES = [proactive_table(), requests_table(), appeals_table()]

# The narrative parts, by heading: (heading, field); the tables come between them.
NARRATIVE = {"一": ("一、总体情况", "overview"),
             "五": ("五、存在的主要问题及改进情况", "problems_and_improvements"),
             "六": ("六、其他需要报告的事项", "other_matters")}


def grid_columns(table):
    """Each row's cells with the grid column where they start, accounting for rowspans."""
    covered = set()  # (row, column) taken by a cell starting in an earlier row
    placed = []
    for r, row in enumerate(table.rows):
        col, cells = 0, []
        for cell in row:
            while (r, col) in covered:
                col += 1
            cells.append((col, cell))
            for dr in range(1, cell.rowspan):
                for dc in range(cell.colspan):
                    covered.add((r + dr, col + dc))
            col += cell.colspan
        while (r, col) in covered:
            col += 1
        if col != len(table.widths):
            raise AssertionError(f"table {table.part} row {r}: {col} columns")
        placed.append(cells)
    return placed


# ==================================================================== HTML

SUBHEADING = re.compile(r"^（[一二三四五六七八九十]+）[^，。；]{1,20}$")

P_STYLE = "margin-top: 0px; margin-bottom: 0px; text-align: center; line-height: 1.5;"
TEXT_STYLE = "margin-top: 6px; margin-bottom: 0px; text-indent: 2em; text-align: justify; line-height: 1.8;"

PAGE_CSS = """\
body { margin: 0; font-family: "宋体", SimSun, "Noto Serif CJK SC", serif; color: #333; background: #f4f4f4; }
a { color: #333; text-decoration: none; }
.header { background: #b3121b; color: #fff; padding: 14px 40px; }
.header .site-name { font-size: 26px; font-weight: bold; letter-spacing: 2px; }
.header .top-links { float: right; font-size: 12px; }
.header .top-links a { color: #fff; margin-left: 12px; }
.nav { background: #d0282f; margin: 0; padding: 0 40px; list-style: none; overflow: hidden; }
.nav li { float: left; }
.nav li a { display: block; color: #fff; padding: 8px 18px; font-size: 15px; }
.main { width: 1000px; max-width: 100%; margin: 0 auto; background: #fff; padding: 10px 30px 30px; box-sizing: border-box; }
.breadcrumb { font-size: 13px; color: #666; border-bottom: 1px solid #ddd; padding: 6px 0; }
.xxgk-info { width: 100%; border-collapse: collapse; margin: 12px 0; font-size: 13px; }
.xxgk-info td { border: 1px solid #ccc; padding: 4px 6px; }
.xxgk-info td.k { background: #f6f6f6; width: 12%; }
.article-title { text-align: center; font-size: 22px; color: #b3121b; margin: 18px 0 8px; }
.article-meta { text-align: center; font-size: 13px; color: #888; margin-bottom: 14px; }
.article-content { font-size: 16px; }
.article-content table { border-collapse: collapse; width: 100%; margin: 6px auto 12px; font-size: 13px; }
.article-content td { border: 1pt solid #000; padding: 3px 4px; text-align: center; vertical-align: middle; }
.article-content tr { page-break-inside: avoid; break-inside: avoid; }
.share { text-align: right; font-size: 13px; color: #666; margin-top: 20px; }
.footer { background: #333; color: #ccc; text-align: center; font-size: 12px; padding: 16px; line-height: 1.8; }
.footer a { color: #ccc; }
@page { size: A4; margin: 20mm 18mm; }
@media print {
  body { background: #fff; }
  .main { width: auto; padding: 0; }
  .article-content table { font-size: 9pt; }
}
"""

PAGE_SCRIPT = """\
var _hmt = _hmt || [];
function doZoom(size) {
  var el = document.getElementById("zoom");
  if (el) { el.style.fontSize = size + "px"; }
}
function printPage() { window.print(); }
// share bar template, built as a string (a trap for naive tag matching)
var shareTpl = '<a href="javascript:void(0)" class="weixin">微信</a><a href="javascript:void(0)">微博</a>';
"""

NAV = ["首页", "政务公开", "政务服务", "互动交流", "警务资讯", "便民服务", "专题专栏"]


def html_paragraphs(texts, style=P_STYLE):
    return "".join(f'<p style="{style}">{html.escape(t, quote=False)}</p>' for t in texts)


def html_table(table, report):
    """The table as CMS output: label cells hold <p>s; value cells of table 三 are bare text."""
    out = ['<table border="1" cellspacing="0" cellpadding="0" width="100%"><tbody>']
    for r, cells in enumerate(grid_columns(table)):
        out.append('<tr class="firstRow">' if r == 0 else "<tr>")
        for col, cell in cells:
            # td widths in px as CMS editors write them (the table is 680 px wide)
            width = round(680 * sum(table.widths[col:col + cell.colspan]) / sum(table.widths))
            attrs = f' width="{width}"'
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            if cell.path is None:
                content = html_paragraphs(cell.text.split("\n"))
            else:
                value = cell_text(report, cell.path)
                if value is None:
                    content = ""  # an empty cell: <td></td>
                elif table.part == "三":
                    content = html.escape(value)
                else:
                    content = html_paragraphs([value])
            out.append(f'<td valign="center"{attrs}>{content}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def html_article(report, own_parts=False):
    """The six parts as the template orders them; with `own_parts`, as many
    agencies lay them out instead: their own numbering, a part of their own,
    and the three tables under one heading, each with a caption 表一：…"""
    parts = []

    def heading(text):
        parts.append(f'<p style="{TEXT_STYLE}"><strong>{html.escape(text)}</strong></p>')

    def text(lines):
        for line in lines:
            body = html.escape(line, quote=False)
            if SUBHEADING.match(line):
                body = f'<span style="font-family: 楷体_GB2312, KaiTi;">{body}</span>'
            parts.append(f'<p style="{TEXT_STYLE}">{body}</p>')

    tables = {t.part: t for t in TABLES}
    if own_parts:
        heading(NARRATIVE["一"][0])
        text(narrative(report, "overview"))
        heading("二、工作机制保障")
        text(["本机关建立健全政务公开工作机制，明确专人负责政府信息公开工作。"])
        heading("三、统计数据")
        for caption, part in zip("一二三", "二三四"):
            text([f"表{caption}：{tables[part].heading[2:]}"])
            parts.append(html_table(tables[part], report))
        for numeral, part in zip("四五", "五六"):
            title, field = NARRATIVE[part]
            heading(numeral + title[1:])
            text(narrative(report, field))
        return "\n".join(parts)
    for part in "一二三四五六":
        if part in NARRATIVE:
            title, field = NARRATIVE[part]
            heading(title)
            text(narrative(report, field))
        else:
            heading(tables[part].heading)
            parts.append(html_table(tables[part], report))
    return "\n".join(parts)


def html_page(report, charset_meta):
    title = title_of(report)
    agency = lookup(report, "agency.name") or "本机关"
    year = lookup(report, "year")
    published = int(year) + 1 if re.fullmatch(r"[0-9]{4}", str(year)) else 2022
    date = f"{published}-01-28"  # made up: a plausible publication date
    index_number = f"{lookup(report, 'agency.region_code') or '000000'}-{published}-00012"
    nav = "".join(f'<li><a href="/{i}/index.html">{html.escape(n)}</a></li>' for i, n in enumerate(NAV))
    esc = html.escape
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{charset_meta}
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta name="ArticleTitle" content="{esc(title)}" />
<meta name="PubDate" content="{date} 09:30" />
<title>{esc(title)}_{esc(agency)}</title>
<style type="text/css">
{PAGE_CSS}</style>
<script type="text/javascript">
{PAGE_SCRIPT}</script>
</head>
<body>
<div class="header">
  <div class="top-links"><a href="/">无障碍浏览</a><a href="/">长者模式</a><a href="/">English</a></div>
  <div class="site-name">{esc(agency)}门户网站</div>
</div>
<ul class="nav">{nav}</ul>
<div class="main">
<div class="breadcrumb">当前位置：<a href="/">首页</a>&nbsp;&gt;&nbsp;<a href="/1/index.html">政务公开</a>&nbsp;&gt;&nbsp;<a href="/1/nb/index.html">政府信息公开年报</a>&nbsp;&gt;&nbsp;正文</div>
<table class="xxgk-info"><tbody>
<tr><td class="k">索引号：</td><td>{esc(index_number)}</td><td class="k">发布机构：</td><td>{esc(agency)}</td></tr>
<tr><td class="k">主题分类：</td><td>政府信息公开年报</td><td class="k">发布日期：</td><td>{date}</td></tr>
</tbody></table>
<h1 class="article-title">{esc(title)}</h1>
<div class="article-meta">发布时间：{date}&nbsp;&nbsp;来源：{esc(agency)}&nbsp;&nbsp;字号：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a></div>
<div class="article-content" id="zoom"><div class="TRS_Editor">
{html_article(report)}
</div></div>
<div class="share">【<a href="javascript:printPage()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
</div>
<div class="footer">
<p>主办单位：{esc(agency)}&nbsp;&nbsp;&nbsp;<a href="/">网站地图</a>&nbsp;|&nbsp;<a href="/">联系我们</a></p>
<p>版权所有：{esc(agency)}&nbsp;&nbsp;ICP备案：豫ICP备05012345号-1&nbsp;&nbsp;豫公网安备 41010502001234号&nbsp;&nbsp;网站标识码：4101000012</p>
</div>
<script type="text/javascript">doZoom(16);</script>
</body>
</html>
"""


def document_page(report, own_parts=False):
    """The report alone, as a Word export prints it: what the PDF is made from."""
    esc = html.escape
    title = title_of(report)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8" />
<title>{esc(title)}</title>
<style type="text/css">
{PAGE_CSS}</style>
</head>
<body>
<h1 class="article-title">{esc(title)}</h1>
<div class="article-content"><div class="TRS_Editor">
{html_article(report, own_parts)}
</div></div>
</body>
</html>
"""


def write_html(report, outdir):
    with open(os.path.join(outdir, "print.html"), "w", encoding="utf-8", newline="\n") as f:
        f.write(document_page(report))
    with open(os.path.join(outdir, "print-own-parts.html"), "w", encoding="utf-8", newline="\n") as f:
        f.write(document_page(report, own_parts=True))
    page = html_page(report, '<meta charset="utf-8" />')
    with open(os.path.join(outdir, "report.html"), "w", encoding="utf-8", newline="\n") as f:
        f.write(page)
    # Sites declare gb2312 and serve GBK; characters outside GBK become &#...; references.
    gbk = html_page(report, '<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />')
    with open(os.path.join(outdir, "report-gbk.html"), "wb") as f:
        f.write(gbk.encode("gbk", errors="xmlcharrefreplace"))


# ===================================================================== PDF

def write_pdf(outdir, source="print.html", target="report.pdf"):
    src = os.path.abspath(os.path.join(outdir, source))
    out = os.path.abspath(os.path.join(outdir, target))
    if os.path.exists(out):
        os.remove(out)
    with tempfile.TemporaryDirectory(prefix="docgen-chromium-") as profile:
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={profile}", "--no-pdf-header-footer",
               f"--print-to-pdf={out}", "file://" + src]
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=45)
        except FileNotFoundError:
            raise Failure(f"{CHROMIUM} not found (install chromium)")
        except subprocess.TimeoutExpired:
            raise Failure("chromium did not finish printing within 45 s")
    if proc.returncode != 0 or not os.path.exists(out) or os.path.getsize(out) == 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
        raise Failure(f"chromium failed to print {src} (exit {proc.returncode}): " + " | ".join(tail))


# ==================================================================== scan

def degrade(page, rng):
    """A page as a cheap office scanner gives it: tilted, noisy, soft, grey paper."""
    page = page.convert("L")
    page = page.point(lambda v: 18 + v * 222 // 255)  # grey paper, toner not quite black
    angle = rng.uniform(-0.5, 0.5)
    page = page.rotate(angle, resample=Image.BICUBIC, fillcolor=240)
    # Gaussian noise (sigma 9) from seeded uniform bytes through the normal quantile.
    dist = statistics.NormalDist(128, 9)
    lut = [max(0, min(255, round(dist.inv_cdf((i + 0.5) / 256)))) for i in range(256)]
    noise = Image.frombytes("L", page.size, rng.randbytes(page.size[0] * page.size[1])).point(lut)
    page = ImageChops.add(page, noise, scale=1.0, offset=-128)
    page = page.filter(ImageFilter.GaussianBlur(0.7))
    buf = io.BytesIO()
    page.save(buf, format="JPEG", quality=55, dpi=(150, 150))
    return buf.getvalue()


def write_scan(outdir):
    pdf = os.path.join(outdir, "report.pdf")
    with tempfile.TemporaryDirectory(prefix="docgen-scan-") as tmp:
        try:
            proc = subprocess.run(["pdftoppm", "-r", "150", "-gray", pdf, os.path.join(tmp, "page")],
                                  capture_output=True, timeout=45)
        except FileNotFoundError:
            raise Failure("pdftoppm not found (install poppler-utils)")
        if proc.returncode != 0:
            raise Failure("pdftoppm failed: " + proc.stderr.decode("utf-8", "replace").strip())
        pages = sorted(os.listdir(tmp))  # page-1.pgm ... zero-padded by pdftoppm
        if not pages:
            raise Failure("pdftoppm produced no pages")
        rng = random.Random(SCAN_SEED)
        jpegs = []
        for name in pages:
            with Image.open(os.path.join(tmp, name)) as page:
                jpegs.append(degrade(page, rng))
    with open(os.path.join(outdir, "report-scan.pdf"), "wb") as f:
        # The internal engine with nodate writes no random /ID: same pages, same bytes.
        f.write(img2pdf.convert(jpegs, nodate=True, engine=img2pdf.Engine.internal))


# ==================================================================== DOCX

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS
W14_PARA_ID = "{http://schemas.microsoft.com/office/word/2010/wordml}paraId"


def register_namespaces(xml_bytes):
    """Keep the template's prefixes (w:, w14:, wpsCustomData: ...) when writing back."""
    for _, (prefix, uri) in ET.iterparse(io.BytesIO(xml_bytes), events=["start-ns"]):
        ET.register_namespace(prefix, uri)


def text_of(element):
    return "".join(t.text or "" for t in element.iter(W + "t"))


def norm(text):
    return re.sub(r"[\s\u3000]+", "", text)


def set_paragraph_text(p, text, rpr=None):
    """Replace a paragraph's runs by one run with text, keeping pPr (and the first run's rPr)."""
    if rpr is None:
        first = p.find(W + "r/" + W + "rPr")
        if first is None:  # fall back to the paragraph mark's run properties
            first = p.find(W + "pPr/" + W + "rPr")
        rpr = first
    for child in list(p):
        if child.tag != W + "pPr":
            p.remove(child)
    if text is None:
        return
    run = ET.SubElement(p, W + "r")
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    t = ET.SubElement(run, W + "t")
    t.text = text
    if text != text.strip():
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def tc_span(tc):
    span = tc.find(W + "tcPr/" + W + "gridSpan")
    return int(span.get(W + "val")) if span is not None else 1


def tc_at(tr, column):
    """The w:tc of a row covering a grid column (vMerge continuation cells are real w:tc)."""
    col = 0
    for tc in tr.findall(W + "tc"):
        span = tc_span(tc)
        if col <= column < col + span:
            return tc, col
        col += span
    return None, None


def find_row(tbl, label):
    for tr in tbl.findall(W + "tr"):
        if any(norm(text_of(tc)) == norm(label) for tc in tr.findall(W + "tc")):
            return tr
    return None


def fill_table(tbl, table, report):
    grid = tbl.findall(f"{W}tblGrid/{W}gridCol")
    if len(grid) != len(table.widths):
        raise Failure(f"template table {table.part}: {len(grid)} grid columns, "
                      f"expected {len(table.widths)}")
    trs = tbl.findall(W + "tr")
    for r, cells in enumerate(grid_columns(table)):
        values = [(col, cell) for col, cell in cells if cell.path is not None]
        if not values:
            continue
        labels = [cell.text for _, cell in cells if cell.path is None]
        tr = find_row(tbl, labels[-1]) if labels else (trs[r] if r < len(trs) else None)
        if tr is None:
            raise Failure(f"template table {table.part}: no row labelled {labels[-1:]} (row {r})")
        label_rpr = tr.find(f".//{W}r/{W}rPr")
        for col, cell in values:
            tc, start = tc_at(tr, col)
            if tc is None or start != col or tc_span(tc) != cell.colspan:
                raise Failure(f"template table {table.part} row {r}: no cell spanning grid "
                              f"columns {col}..{col + cell.colspan - 1} for {cell.path}")
            value = cell_text(report, cell.path)
            if value is None:
                continue  # an empty cell stays as the template has it (it may hold U+3000)
            paragraphs = tc.findall(W + "p")
            for extra in paragraphs[1:]:
                tc.remove(extra)
            p = paragraphs[0]
            rpr = p.find(W + "r/" + W + "rPr")
            set_paragraph_text(p, value, rpr if rpr is not None else label_rpr)


def fill_narrative(body, heading, lines):
    """Replace the （文字描述…） placeholder after a heading by one paragraph per line."""
    children = list(body)
    for i, el in enumerate(children):
        if el.tag == W + "p" and norm(text_of(el)) == norm(heading):
            break
    else:
        raise Failure(f"template: no paragraph {heading}")
    for placeholder in children[i + 1:]:
        if placeholder.tag != W + "p" or norm(text_of(placeholder)):
            break
    if placeholder.tag != W + "p" or not text_of(placeholder).startswith("（文字描述"):
        raise Failure(f"template: no （文字描述） placeholder after {heading}")
    at = list(body).index(placeholder)
    body.remove(placeholder)
    for k, line in enumerate(lines):
        p = copy.deepcopy(placeholder)
        p.attrib.pop(W14_PARA_ID, None)  # paraIds must stay unique
        set_paragraph_text(p, line)
        body.insert(at + k, p)


def fill_document(xml_bytes, report):
    register_namespaces(xml_bytes)
    root = ET.fromstring(xml_bytes)
    body = root.find(W + "body")
    title = next((p for p in body.iter(W + "p") if "年度报告格式模板" in text_of(p)), None)
    if title is None:
        raise Failure("template: no title paragraph (…年度报告格式模板)")
    set_paragraph_text(title, title_of(report))

    tbls = body.findall(W + "tbl")
    for table in TABLES:
        found = [t for t in tbls if any(norm(text_of(tc)) == norm(table.marker)
                                        for tc in t.iter(W + "tc"))]
        if len(found) != 1:
            raise Failure(f"template: expected one table with {table.marker}, found {len(found)}")
        fill_table(found[0], table, report)
    for heading, field in NARRATIVE.values():
        fill_narrative(body, heading, narrative(report, field))

    out = ET.tostring(root, encoding="unicode")
    # ElementTree declares only the namespaces it uses, but mc:Ignorable="w14 w15 wp14"
    # names prefixes that must stay declared: put the template's root tag back.
    original_root = re.search(rb"<w:document\b[^>]*>", xml_bytes).group(0).decode("utf-8")
    written_root = re.match(r"<w:document\b[^>]*>", out).group(0)
    missing = set(re.findall(r'xmlns:\w+="[^"]*"', written_root)) - \
        set(re.findall(r'xmlns:\w+="[^"]*"', original_root))
    if missing:
        raise Failure(f"template: namespaces not declared on w:document: {sorted(missing)}")
    out = original_root + out[len(written_root):]
    declaration = re.match(rb"<\?xml[^>]*\?>\r?\n?", xml_bytes)
    head = declaration.group(0) if declaration else b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return head + out.encode("utf-8")


def write_docx(report, template, outdir):
    try:
        with zipfile.ZipFile(template) as src:
            entries = [(info, src.read(info)) for info in src.infolist()]
    except (OSError, zipfile.BadZipFile) as e:
        raise Failure(f"cannot read template {template}: {e}")
    path = os.path.join(outdir, "report.docx")
    with zipfile.ZipFile(path, "w") as dst:
        for info, data in entries:
            if info.filename == "word/document.xml":
                data = fill_document(data, report)
            # Same names, order, dates and compression as the template: deterministic output.
            copy_info = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy_info.compress_type = info.compress_type
            copy_info.external_attr = info.external_attr
            copy_info.create_system = info.create_system
            dst.writestr(copy_info, data)


# ==================================================================== main

def main(argv):
    if len(argv) != 4:
        print("usage: make_documents.py REPORT.json TEMPLATE.docx OUTDIR", file=sys.stderr)
        return 2
    report_path, template, outdir = argv[1:]
    try:
        with open(report_path, encoding="utf-8") as f:
            try:
                report = json.load(f)
            except ValueError as e:
                raise Failure(f"{report_path}: not valid JSON: {e}")
        if not isinstance(report, dict):
            raise Failure(f"{report_path}: not a JSON object")
        os.makedirs(outdir, exist_ok=True)
        write_html(report, outdir)
        print(os.path.join(outdir, "report.html"))
        print(os.path.join(outdir, "report-gbk.html"))
        write_docx(report, template, outdir)
        print(os.path.join(outdir, "report.docx"))
        write_pdf(outdir)
        print(os.path.join(outdir, "report.pdf"))
        write_pdf(outdir, "print-own-parts.html", "report-own-parts.pdf")
        print(os.path.join(outdir, "report-own-parts.pdf"))
        write_scan(outdir)
        print(os.path.join(outdir, "report-scan.pdf"))
    except (OSError, Failure) as e:
        print(f"make_documents: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
