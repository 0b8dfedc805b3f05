#!/usr/bin/python3
"""Layout variants of one report, as agencies publish them (issue 11).

Usage: make_layouts.py REPORT.json OUTDIR [NAME ...]

Renders the report (protobuf JSON, as make_documents.py reads it) into many
layouts other agencies use — text as extracted from their PDFs, web pages of
other CMSs, Word files made by hand, PDFs printed differently — one file per
variant, named VARIANT.EXT, so the importer can be tried on layouts it was
not written against. Every cell comes from the JSON (an absent field is an
empty cell). With NAMEs, writes only those variants. Prints one line per file.
The table layout (labels, spans) is make_documents.py's.
"""

import html
import io
import os
import re
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_documents as md  # noqa: E402

# ================================================================ the rows

FW = str.maketrans("0123456789.", "０１２３４５６７８９．")


def v(report, path):
    t = md.cell_text(report, path)
    return "" if t is None else t


def table2_rows(report):
    """(label, [values]) rows of table 二 as printed, headers included."""
    p = "proactive_disclosure."
    rows = [("第二十条第（一）项", []), ("信息内容", ["本年制发件数", "本年废止件数", "现行有效件数"])]
    for label, field in [("规章", "regulations"), ("行政规范性文件", "normative_documents")]:
        rows.append((label, [v(report, f"{p}{field}.{c}") for c in md.DOCUMENT_COLUMNS]))
    rows += [("第二十条第（五）项", []), ("信息内容", ["本年处理决定数量"]),
             ("行政许可", [v(report, p + "administrative_licensing.decisions")]),
             ("第二十条第（六）项", []), ("信息内容", ["本年处理决定数量"]),
             ("行政处罚", [v(report, p + "administrative_penalty.decisions")]),
             ("行政强制", [v(report, p + "administrative_coercion.decisions")]),
             ("第二十条第（八）项", []), ("信息内容", ["本年收费金额（单位：万元）"]),
             ("行政事业性收费", [v(report, p + "administrative_fees.amount_10k_yuan")])]
    return rows


T3_HEADER = [
    ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", ["申请人情况"]),
    ("", ["自然人", "法人或其他组织", "总计"]),
    ("", ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]),
]


def table3_rows(report):
    """(group, label, [7 values]) of table 三's value rows."""
    def vals(field):
        return [v(report, f"requests.{field}.{c}") for c in md.APPLICANT_COLUMNS]
    rows = [("", "一、本年新收政府信息公开申请数量", vals("received")),
            ("", "二、上年结转政府信息公开申请数量", vals("carried_over_from_previous_year")),
            ("三、本年度办理结果", "（一）予以公开", vals("outcomes.disclosed")),
            ("", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
             vals("outcomes.partially_disclosed"))]
    for group_label, group_field, items in md.OUTCOME_GROUPS:
        for i, (label, field) in enumerate(items):
            rows.append((group_label if i == 0 else "", label,
                         vals(f"outcomes.{group_field}.{field}")))
    rows.append(("", "（七）总计", vals("outcomes.total")))
    rows.append(("", "四、结转下年度继续办理", vals("carried_over_to_next_year")))
    return rows


def table4_values(report):
    return [v(report, f"appeals.{b}.{c}") for b in md.APPEAL_BLOCKS for c in md.APPEAL_COLUMNS]


# ==================================================================== text

def text_report(report, *, sep="  ", heading=lambda h: h, captions=False, renumber=False,
                fw=False, glued=False, page_split=False, wrap=False, runon=False,
                empty="", pipes=False, header_split=False):
    """The report as text extracted from a PDF (space-aligned columns) or as
    Markdown. Options give the variants; see VARIANTS."""
    out = [md.title_of(report), ""]

    def num(x):
        return x.translate(FW) if fw else x

    def row(label, values):
        values = [num(x) if x else empty for x in values]
        if pipes:
            return "| " + " | ".join([label] + values) + " |"
        vs = sep.join(x for x in values if x != "" or empty)
        if not values:
            return label
        return label + ("" if glued else sep) + vs

    def para(field):
        for line in md.narrative(report, field):
            out.append(line)
            out.append("")

    def head(text):
        out.append(heading(text))
        out.append("")

    def page_break(number, header):
        # as pdftotext prints a page break inside a table: the page number
        # line between blank lines, then the table's header rows again
        out.extend(["", f"- {number} -", ""])
        for hl, hv in header:
            out.append(row(hl, hv))

    def t2():
        for label, values in table2_rows(report):
            if header_split and label == "第二十条第（六）项":
                page_break(2, table2_rows(report)[:2])
            out.append(row(label, values))
        out.append("")

    def t3():
        for label, values in T3_HEADER:
            out.append(row(label, values))
        rows = table3_rows(report)
        for i, (group, label, values) in enumerate(rows):
            if header_split and label.startswith("2.没有现成信息"):
                page_break(3, T3_HEADER)
            if page_split and label.startswith("4.保护第三方"):
                out.append("")
                out.append("- 3 -")
                out.append("\f" + md.title_of(report))
                for hl, hv in T3_HEADER:
                    out.append(row(hl, hv))
            full = (group + " " if group else "") + label
            if wrap and len(label) > 14:
                # the label wrapped in its narrow cell: values on the middle line
                a, b, c = label[:7], label[7:14], label[14:]
                out.append(a)
                out.append(row(b, values))
                out.append(c)
            else:
                out.append(row(full if not pipes else full, values))
        out.append("")

    def t4():
        out.append(row("行政复议", []) + sep + "行政诉讼")
        out.append(sep.join(md.APPEAL_HEADERS) + sep + "未经复议直接起诉" + sep + "复议后起诉")
        out.append(sep.join(md.APPEAL_HEADERS * 2))
        out.append(sep.join(num(x) if x else empty for x in table4_values(report)))
        out.append("")

    tables = {"二": t2, "三": t3, "四": t4}
    if renumber or captions:
        head("一、总体情况")
        para("overview")
        if renumber:
            head("二、工作机制保障")
            out += ["本机关建立健全政务公开工作机制，明确专人负责政府信息公开工作。", ""]
            head("三、统计数据")
        for k, part in zip("一二三", "二三四"):
            t = next(t for t in md.TABLES if t.part == part)
            cap = f"表{k if renumber else part}：{t.heading[2:]}" if captions or renumber else ""
            if not renumber:
                head(t.heading)
            out += [cap, ""]
            tables[part]()
        for numeral, part in (zip("四五", "五六") if renumber else zip("五六", "五六")):
            title, field = md.NARRATIVE[part]
            head(numeral + title[1:])
            para(field)
    else:
        for part in "一二三四五六":
            if part in md.NARRATIVE:
                title, field = md.NARRATIVE[part]
                if runon:
                    # the heading glued to the paragraph after it, and the
                    # paragraph before it running into it
                    lines = md.narrative(report, field)
                    if out and out[-1] == "":
                        out.pop()
                    if out and not out[-1].startswith(("|", "行政", "第二十", "信息内容")) and \
                            not re.match(r"^[\d０-９ ]+$", out[-1]) and part != "一":
                        out[-1] = out[-1] + title + lines[0]
                    else:
                        out.append(title + lines[0])
                    out.append("")
                    for line in lines[1:]:
                        out.append(line)
                        out.append("")
                else:
                    head(title)
                    para(field)
            else:
                t = next(t for t in md.TABLES if t.part == part)
                head(t.heading)
                tables[part]()
    return "\n".join(out) + "\n"


TEXT_VARIANTS = {
    "t-markdown-headings": dict(heading=lambda h: "## " + h, pipes=True),
    "t-captions": dict(captions=True),
    "t-renumbered": dict(renumber=True),
    "t-page-split": dict(page_split=True),
    "t-wrapped-labels": dict(wrap=True),
    "t-runon-headings": dict(runon=True),
    "t-tabs": dict(sep="\t"),
    "t-tabs-empty-cells": dict(sep="\t", empty=""),
    "t-fullwidth": dict(fw=True, sep="\u3000"),
    "t-glued-label": dict(glued=True, sep=" "),
    "t-single-space": dict(sep=" "),
    "t-page-split-header": dict(header_split=True),
}


# ==================================================================== HTML

def html_cells(table, report, *, th_header=False, br=False):
    """Rows of (tag, attrs, content) from the template layout."""
    rows = []
    for r, cells in enumerate(md.grid_columns(table)):
        out = []
        for col, cell in cells:
            attrs = ""
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            if cell.path is None:
                text = cell.text
                if br and len(text) > 8 and "\n" not in text:
                    text = text[:len(text) // 2] + "\n" + text[len(text) // 2:]
                content = ("<br>" if br else "").join(html.escape(t) for t in text.split("\n")) \
                    if br else "".join(html.escape(t) for t in text.split("\n"))
                is_header = all(c.path is None for _, c in cells) and not \
                    any(c.text.startswith("第二十条") for _, c in cells)
                tag = "th" if th_header and is_header else "td"
            else:
                val = md.cell_text(report, cell.path)
                content = "" if val is None else html.escape(val)
                tag = "td"
            out.append((tag, attrs, content))
        rows.append(out)
    return rows


def html_table_variant(table, report, *, th_header=False, thead=False, split_at=None,
                       br=False, empty_tbody=False, colspan_all=False):
    rows = html_cells(table, report, th_header=th_header, br=br)
    nhead = {"二": 0, "三": 3, "四": 3}[table.part]

    def tr(cells):
        return "<tr>" + "".join(f"<{t}{a}>{c}</{t}>" for t, a, c in cells) + "</tr>\n"

    def open_table():
        s = '<table border="1" cellspacing="0" style="border-collapse:collapse">\n'
        return s + ("<tbody></tbody>\n" if empty_tbody else "")

    if colspan_all and table.part == "三":
        # every row labelled by one cell spanning the three label columns, the
        # group labels folded into the row labels (no rowspans)
        rows = [r for r in rows[:3]]
        for group, label, values in table3_rows(report):
            lab = (group + label) if group else label
            rows.append([("td", ' colspan="3"', html.escape(lab))] +
                        [("td", "", html.escape(x)) for x in values])
    parts = [open_table()]
    if thead and nhead:
        parts.append("<thead>" + "".join(tr(r) for r in rows[:nhead]) + "</thead>\n<tbody>\n")
    else:
        parts.append("<tbody>\n")
        nhead = 0 if not thead else nhead
    body = rows[nhead:] if thead else rows
    for i, r in enumerate(body):
        if split_at is not None and i == split_at:
            parts.append("</tbody></table>\n<p></p>\n" + open_table() + "<tbody>\n")
        parts.append(tr(r))
    parts.append("</tbody></table>\n")
    return "".join(parts)


def html_variant(report, *, charset='<meta charset="utf-8">', wechat=False, nested=False,
                 layout_table=False, encoding="utf-8", style="", **table_opts):
    title = md.title_of(report)
    P = "section" if wechat else "p"
    body = []

    def para(t, strong=False):
        t = html.escape(t)
        if strong:
            t = f"<strong>{t}</strong>"
        if wechat:
            body.append(f'<section style="margin:0 8px;"><span style="font-size:15px;">{t}</span></section>')
        else:
            body.append(f"<{P}>{t}</{P}>")

    tables = {t.part: t for t in md.TABLES}
    split = table_opts.pop("split", False)
    for part in "一二三四五六":
        if part in md.NARRATIVE:
            heading, field = md.NARRATIVE[part]
            para(heading, strong=True)
            for line in md.narrative(report, field):
                para(line)
        else:
            t = tables[part]
            para(t.heading, strong=True)
            opts = dict(table_opts)
            if split and part == "三":
                opts["split_at"] = 14
            tab = html_table_variant(t, report, **opts)
            if wechat:
                tab = f'<section style="overflow-x:auto;">{tab}</section>'
            body.append(tab)
    if layout_table:
        # the whole page one layout table (old CMSs): title, every heading,
        # paragraph and data table in a row of its own; the menu in a left
        # cell spanning them all
        rows = [f'<tr><td class="title" align="center"><h1>{html.escape(title)}</h1></td></tr>']
        rows += [f"<tr><td>{b}</td></tr>" for b in body]
        rows[0] = rows[0].replace("<tr>", f'<tr><td class="menu" rowspan="{len(rows)}" width="15%">'
                                  '<a href="/a">机构概况</a><br><a href="/b">政策文件</a></td>', 1)
        body = ['<table width="100%" border="0" class="layout">' + "\n".join(rows) + "</table>"]
    article = "\n".join(body)
    if layout_table:
        pass
    elif nested:
        article = ('<table width="100%" class="layout"><tr><td class="left" width="20%">'
                   '<ul><li><a href="/a">机构概况</a></li><li><a href="/b">政策文件</a></li></ul></td>'
                   f'<td class="content"><h1>{html.escape(title)}</h1>\n{article}</td></tr></table>')
    else:
        article = f"<h1>{html.escape(title)}</h1>\n" + article
    if wechat:
        article = f'<div id="js_content" class="rich_media_content">{article}</div>'
    page = f"""<!DOCTYPE html>
<html><head>{charset}<title>{html.escape(title)}</title>
<style>{style}</style></head>
<body><div class="nav"><a href="/">首页</a> <a href="/x">政务公开</a></div>
{article}
<div class="footer">版权所有 ICP备12345678号</div>
</body></html>
"""
    return page.encode(encoding, errors="xmlcharrefreplace")


HTML_VARIANTS = {
    "h-th-header": dict(th_header=True),
    "h-thead": dict(thead=True, th_header=True),
    "h-split-table": dict(split=True),
    "h-nested-layout": dict(nested=True),
    "h-br-in-cells": dict(br=True),
    "h-gbk-declared": dict(charset='<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
                           encoding="gbk"),
    "h-gbk-undeclared": dict(charset="", encoding="gbk"),
    "h-wechat-sections": dict(wechat=True, charset='<meta charset="utf-8">'),
    "h-colspan-labels": dict(colspan_all=True),
    "h-empty-tbody": dict(empty_tbody=True),
    "h-layout-table": dict(layout_table=True),
}

PDF_CSS = {
    "landscape": "@page { size: A4 landscape; margin: 12mm; } td { border:1px solid #000; font-size:10pt }",
    "small": "@page { size: A4; margin: 15mm; } body { font-size: 7pt } td { border:1px solid #000; font-size:5.5pt; padding:0 }",
    "repeat-header": "@page { size: A4; margin: 20mm; } td,th { border:1px solid #000; font-size:10pt; padding:4px } thead { display: table-header-group } tr { break-inside: avoid }",
    "two-column-header": "@page { size: A4; margin: 25mm 18mm; } td { border:1px solid #000; font-size:9pt } "
                         ".running { position: fixed; top: -18mm; left: 0; right: 0; font-size: 9pt; } "
                         ".running .l { float: left } .running .r { float: right }",
}

PDF_VARIANTS = {
    "p-landscape": dict(style=PDF_CSS["landscape"]),
    "p-small-fonts": dict(style=PDF_CSS["small"]),
    "p-repeated-header": dict(style=PDF_CSS["repeat-header"], thead=True, th_header=True),
    "p-two-column-header": dict(style=PDF_CSS["two-column-header"], running=True),
    "p-br-in-cells": dict(style=PDF_CSS["repeat-header"], br=True),
    "p-landscape-thead": dict(style=PDF_CSS["landscape"] + " thead { display: table-header-group } "
                              "tr { break-inside: avoid }", thead=True, th_header=True),
    # rows may break across pages, below the repeated thead
    "p-thead-rows-split": dict(style="@page { size: A4; margin: 20mm; } td,th { border:1px solid #000; "
                               "font-size:10pt; padding:4px } thead { display: table-header-group }",
                               thead=True, th_header=True),
    "p-landscape-thead-large": dict(style="@page { size: A4 landscape; margin: 12mm; } td,th { border:1px "
                                    "solid #000; font-size:12pt; padding:6px } "
                                    "thead { display: table-header-group }", thead=True, th_header=True),
}


def pdf_variant(report, outdir, name, opts):
    opts = dict(opts)
    running = opts.pop("running", False)
    page = html_variant(report, **opts).decode("utf-8")
    if running:
        agency = md.lookup(report, "agency.name") or ""
        page = page.replace("<body>", f'<body><div class="running"><span class="l">{html.escape(agency)}'
                            f'</span><span class="r">政府信息公开工作年度报告</span></div>', 1)
    page = page.replace('<div class="nav"><a href="/">首页</a> <a href="/x">政务公开</a></div>', "")
    page = page.replace('<div class="footer">版权所有 ICP备12345678号</div>', "")
    src = f"{name}.print.html"
    with open(os.path.join(outdir, src), "w", encoding="utf-8") as f:
        f.write(page)
    md.write_pdf(outdir, src, f"{name}.pdf")


# ==================================================================== DOCX

W_NS = md.W_NS


def w_p(text, *, bold=False, style=None, numbered=False, size=None):
    ppr = ""
    if style or numbered:
        ppr = "<w:pPr>" + (f'<w:pStyle w:val="{style}"/>' if style else "") + \
              ('<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>' if numbered else "") + \
              "</w:pPr>"
    rpr = ""
    if bold or size:
        rpr = "<w:rPr>" + ("<w:b/>" if bold else "") + (f'<w:sz w:val="{size}"/>' if size else "") + "</w:rPr>"
    return f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{html.escape(text, quote=False)}</w:t></w:r></w:p>'


def w_tc(text, *, span=1, vmerge=None, width=600, br=False, num_id=None):
    tcpr = f'<w:tcW w:w="{width * span}" w:type="dxa"/>'
    if span > 1:
        tcpr += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        tcpr += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        tcpr += "<w:vMerge/>"  # no w:val: continue, as Word writes it
    if br:
        runs = '<w:r><w:t>' + '</w:t></w:r><w:r><w:br/></w:r><w:r><w:t>'.join(
            html.escape(t, quote=False) for t in text.split("\n")) + "</w:t></w:r>"
    else:
        runs = "".join(f"<w:r><w:t>{html.escape(t, quote=False)}</w:t></w:r>" for t in text.split("\n")) \
            if text else ""
    ppr = f'<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr></w:pPr>' \
        if num_id else ""
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr><w:p>{ppr}{runs}</w:p></w:tc>"


def w_tbl(table, report, rows_range=None, *, hmerge=False, br=False, header_rows=0, lists=None):
    """The template layout as a w:tbl, vMerge continuation cells written out."""
    placed = md.grid_columns(table)
    ncols = len(table.widths)
    # the grid: (r, c) -> (cell, is_origin)
    grid = {}
    for r, cells in enumerate(placed):
        for col, cell in cells:
            for dr in range(cell.rowspan):
                grid[(r + dr, col)] = (cell, dr == 0)
    out = ['<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>'
           '<w:insideH w:val="single" w:sz="4"/><w:insideV w:val="single" w:sz="4"/></w:tblBorders>'
           '</w:tblPr><w:tblGrid>' + "".join(f'<w:gridCol w:w="{w}"/>' for w in table.widths) +
           "</w:tblGrid>"]
    rng = list(range(len(placed)) if rows_range is None else rows_range)
    if header_rows and rng[0] >= header_rows:
        rng = list(range(header_rows)) + rng
    for r in rng:
        out.append("<w:tr><w:trPr><w:tblHeader/></w:trPr>" if r < header_rows else "<w:tr>")
        c = 0
        while c < ncols:
            cell, origin = grid[(r, c)]
            text = ""
            if origin:
                text = cell.text if cell.path is None else (md.cell_text(report, cell.path) or "")
            vm = None
            if cell.rowspan > 1:
                vm = "restart" if origin else "continue"
                if rows_range is not None and r == rows_range[0] and not origin:
                    vm, text = None, ""
            if hmerge and cell.colspan > 1:
                for k in range(cell.colspan):
                    tcpr = '<w:hMerge w:val="restart"/>' if k == 0 else '<w:hMerge/>'
                    t = text if k == 0 else ""
                    out.append(f'<w:tc><w:tcPr><w:tcW w:w="600" w:type="dxa"/>{tcpr}</w:tcPr>'
                               f'<w:p><w:r><w:t>{html.escape(t, quote=False)}</w:t></w:r></w:p></w:tc>')
            else:
                num_id = None
                m = re.match(r"^(\d+)\.", text) if lists is not None and cell.path is None else None
                if m:
                    # the item's number from a Word list: one list per group,
                    # each starting again at 1
                    if m.group(1) == "1":
                        lists.append(len(lists) + 10)
                    num_id, text = lists[-1], text[m.end():]
                out.append(w_tc(text, span=cell.colspan, vmerge=vm, br=br, num_id=num_id))
            c += cell.colspan
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def docx_variant(report, *, heading_style=None, bold_headings=False, numbered=False,
                 split_table=False, hmerge=False, textbox_title=False, br=False,
                 repeat_header=False, numbered_labels=False):
    body = []
    title = md.title_of(report)
    if textbox_title:
        body.append('<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
                    '<a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent>' + w_p(title, bold=True) +
                    '</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>'
                    '</mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>' +
                    w_p(title, bold=True) + '</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>'
                    '</mc:AlternateContent></w:r></w:p>')
    else:
        body.append(w_p(title, bold=True, size=44))

    lists = [] if numbered_labels else None
    if numbered_labels:
        heading_style = "NumberedHeading"  # the numbering in the style, not the paragraph

    def head(text):
        if numbered or numbered_labels:
            text = re.sub(r"^[一二三四五六七八九十]+、", "", text)
        body.append(w_p(text, bold=bold_headings, style=heading_style, numbered=numbered))

    tables = {t.part: t for t in md.TABLES}
    for part in "一二三四五六":
        if part in md.NARRATIVE:
            heading, field = md.NARRATIVE[part]
            head(heading)
            for line in md.narrative(report, field):
                body.append(w_p(line))
        else:
            t = tables[part]
            head(t.heading)
            if split_table and part == "三":
                n = len(t.rows)
                h = 3 if repeat_header else 0
                body.append(w_tbl(t, report, range(0, 14), hmerge=hmerge, br=br, header_rows=h,
                                  lists=lists))
                body.append(w_p(""))
                body.append(w_tbl(t, report, range(14, n), hmerge=hmerge, br=br, header_rows=h,
                                  lists=lists))
            else:
                body.append(w_tbl(t, report, hmerge=hmerge, br=br, lists=lists))
    ns = (f'xmlns:w="{W_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
          'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
          'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
          'xmlns:v="urn:schemas-microsoft-com:vml" mc:Ignorable="wps"')
    doc = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {ns}><w:body>' +
           "".join(body) + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')
    styles = (f'<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="{W_NS}">'
              '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>'
              '<w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>'
              '<w:style w:type="paragraph" w:styleId="NumberedHeading"><w:name w:val="numbered heading"/>'
              '<w:basedOn w:val="Heading1"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
              '</w:styles>')
    numbering = (f'<?xml version="1.0" encoding="UTF-8"?><w:numbering xmlns:w="{W_NS}">'
                 '<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                 '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'
                 '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                 '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/><w:suff w:val="nothing"/></w:lvl>'
                 '</w:abstractNum>'
                 '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>' +
                 "".join(f'<w:num w:numId="{i}"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0">'
                         '<w:startOverride w:val="1"/></w:lvlOverride></w:num>' for i in (lists or [])) +
                 '</w:numbering>')
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
          '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
          '<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>'
          '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    drels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
             '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/></Relationships>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in [("[Content_Types].xml", ct), ("_rels/.rels", rels),
                           ("word/_rels/document.xml.rels", drels), ("word/document.xml", doc),
                           ("word/styles.xml", styles), ("word/numbering.xml", numbering)]:
            info = zipfile.ZipInfo(name, date_time=(2022, 1, 28, 9, 30, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


DOCX_VARIANTS = {
    "d-plain": dict(),
    "d-heading-styles": dict(heading_style="Heading1"),
    "d-bold-headings": dict(bold_headings=True),
    "d-numbered-headings": dict(numbered=True),
    "d-split-table": dict(split_table=True),
    "d-vmerge-no-val": dict(),  # every continuation is <w:vMerge/> (no w:val) in all d-*
    "d-hmerge": dict(hmerge=True),
    "d-textbox-title": dict(textbox_title=True),
    "d-br-in-cells": dict(br=True),
    "d-split-table-header": dict(split_table=True, repeat_header=True),
    "d-numbered-labels": dict(numbered_labels=True, split_table=True),
}


# ==================================================================== main

def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    report = md.json.load(open(argv[1], encoding="utf-8"))
    outdir = argv[2]
    only = set(argv[3:])
    os.makedirs(outdir, exist_ok=True)

    def want(n):
        return not only or n in only

    for name, opts in TEXT_VARIANTS.items():
        if want(name):
            path = os.path.join(outdir, name + ".txt")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text_report(report, **opts))
            print(path)
    for name, opts in HTML_VARIANTS.items():
        if want(name):
            path = os.path.join(outdir, name + ".html")
            with open(path, "wb") as f:
                f.write(html_variant(report, **opts))
            print(path)
    for name, opts in DOCX_VARIANTS.items():
        if want(name):
            path = os.path.join(outdir, name + ".docx")
            with open(path, "wb") as f:
                f.write(docx_variant(report, **opts))
            print(path)
    for name, opts in PDF_VARIANTS.items():
        if want(name):
            pdf_variant(report, outdir, name, opts)
            print(os.path.join(outdir, name + ".pdf"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
