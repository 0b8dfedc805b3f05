// What the report page and the submit page both draw: a report laid out as
// the template prints it — the narrative parts and tables 二, 三, 四 — with
// every finding at its cell or part, its Chinese message and the addends of
// a sum. Everything from the report is set with textContent: a narrative is
// untrusted text.
'use strict';

const PARTS = [
  ['overview', '一、总体情况'],
  ['proactive_disclosure', '二、主动公开政府信息情况'],
  ['requests', '三、收到和处理政府信息公开申请情况'],
  ['appeals', '四、政府信息公开行政复议、行政诉讼情况'],
  ['problems_and_improvements', '五、存在的主要问题及改进情况'],
  ['other_matters', '六、其他需要报告的事项'],
];
const TABLE_OF_PART = {proactive_disclosure: '二', requests: '三', appeals: '四'};
const SEVERITY = {ERROR: '错误', WARNING: '警告', INFO: '提示'};

// The value at a field path ("requests.outcomes.total.natural_person").
function valueAt(report, path) {
  let v = report;
  for (const key of path.split('.')) {
    if (v === undefined || v === null) return undefined;
    v = v[key];
  }
  return v;
}

// One finding, numbered; `act(li, f)` may add buttons to it.
function findingItem(f, index, act) {
  const li = el('li', '', 'finding ' + (f.severity || ''));
  li.id = 'finding-' + index;
  li.append(el('span', SEVERITY[f.severity] || f.severity, 'severity'), ' ',
            el('code', f.rule_id), ' ');
  const where = f.location || {};
  const label = [where.section, where.row_label, where.column_label].filter(Boolean).join(' / ');
  if (label) li.append(el('span', label, 'where'), ' ');
  li.append(el('div', f.message, 'text'));
  if (act) act(li, f);
  if (f.addends && f.addends.length) {
    const sum = el('div', '', 'addends');
    sum.append(el('span', '加数：'));
    for (const a of f.addends) {
      sum.append(el('span', (a.label || a.field_path) + ' ' + (a.value === undefined ? '（空）' : a.value), 'addend'));
    }
    li.append(sum);
  }
  return li;
}

function renderTable(name, cells, report, byField, previous) {
  const table = el('table', '', 'template');
  table.dataset.table = name;
  const rows = [], columns = [];
  for (const c of cells) {
    if (!rows.includes(c.row)) rows.push(c.row);
    if (!columns.includes(c.column)) columns.push(c.column);
  }
  const thead = el('thead');
  const head = el('tr');
  head.append(el('th', '项目'));
  for (const col of columns) head.append(el('th', col));
  thead.append(head);
  table.append(thead);
  const tbody = el('tbody');
  let groups = [];
  for (const row of rows) {
    // The group rows (三、本年度办理结果, （三）不予公开 …) where they begin.
    const first = cells.find((x) => x.row === row) || {};
    const mine = first.groups || [];
    mine.forEach((g, level) => {
      if (groups[level] === g) return;
      const gr = el('tr', '', 'group level-' + level);
      const th = el('th', g);
      th.colSpan = columns.length + 1;
      gr.append(th);
      tbody.append(gr);
    });
    groups = mine;
    const tr = el('tr');
    tr.append(el('th', row, mine.length ? 'level-' + mine.length : ''));
    for (const col of columns) {
      const c = cells.find((x) => x.row === row && x.column === col);
      const td = el('td');
      if (c) {
        td.dataset.field = c.field_path;
        const v = valueAt(report, c.field_path);
        td.textContent = v === undefined ? '' : String(v);
        // The same agency's previous year, beside it.
        if (previous) {
          const p = valueAt(previous, c.field_path);
          const before = el('span', p === undefined ? '上年空' : '上年 ' + p, 'previous');
          if (p !== undefined && v !== undefined && String(p) !== String(v)) before.classList.add('changed');
          td.append(before);
        }
        const found = byField[c.field_path] || [];
        if (found.length) {
          const worst = found.some((x) => x.f.severity === 'ERROR') ? 'ERROR' :
                        found.some((x) => x.f.severity === 'WARNING') ? 'WARNING' : 'INFO';
          td.classList.add('has-finding', worst);
          td.title = found.map((x) => x.f.message).join('\n');
          for (const x of found) {
            const link = el('a', '[' + (x.i + 1) + ']', 'finding-ref');
            link.href = '#finding-' + x.i;
            td.append(' ', link);
          }
        }
      } else {
        td.className = 'none';
      }
      tr.append(td);
    }
    tbody.append(tr);
  }
  table.append(tbody);
  return table;
}

// A narrative with the text spans of its findings marked: code-point
// offsets [start_offset, end_offset) (findings.proto), each span a <mark>
// linked to its finding; a span overlapping an earlier one is not marked
// (the finding is still listed below the part). Text nodes only.
function narrative(text, found) {
  const div = el('div', '', 'narrative');
  const chars = Array.from(text);
  const spans = found.map((x) => ({start: x.f.location.start_offset || 0,
                                   end: x.f.location.end_offset || 0, x}))
      .filter((s) => s.end > s.start && s.end <= chars.length)
      .sort((a, b) => a.start - b.start);
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue;
    div.append(chars.slice(at, s.start).join(''));
    const mark = el('mark', chars.slice(s.start, s.end).join(''), 'span-finding ' + (s.x.f.severity || ''));
    mark.dataset.finding = String(s.x.i);
    mark.title = s.x.f.message || '';
    div.append(mark);
    at = s.end;
  }
  div.append(chars.slice(at).join(''));
  return div;
}

// The report's parts into `parts` and its findings into `list`, each
// finding linked from where it stands. `act` as findingItem's; `previous`
// (optional): the agency's report of the year before, shown in each cell.
function renderReport(parts, list, template, report, findings, act, previous) {
  list.replaceChildren();
  const byField = {}, byPart = {};
  const cellPaths = new Set(template.cells.map((c) => c.field_path));
  findings.forEach((f, i) => {
    list.append(findingItem(f, i, act));
    const path = (f.location && f.location.field_path) || '';
    // A finding of a whole column (T3-BAL: no single cell is at fault)
    // stands at each cell it adds; any other at its own cell or part.
    const cells = cellPaths.has(path) || !(f.addends || []).length ? [path] :
                  f.addends.map((a) => a.field_path).filter((p) => cellPaths.has(p));
    for (const p of cells) (byField[p] = byField[p] || []).push({f, i});
    const part = path.split('.')[0];
    (byPart[part] = byPart[part] || []).push({f, i});
  });
  parts.replaceChildren();
  for (const [field, heading] of PARTS) {
    const section = el('section', '', 'part');
    section.dataset.part = field;
    section.append(el('h3', heading));
    const table = TABLE_OF_PART[field];
    if (table) {
      section.append(renderTable(table, template.cells.filter((c) => c.table === table), report, byField,
                                 previous));
    } else {
      const text = narrative(report[field] || '', (byPart[field] || []).filter((x) =>
        x.f.location && x.f.location.field_path === field));
      if ((byPart[field] || []).length) text.classList.add('has-finding');
      section.append(text);
      for (const x of byPart[field] || []) {
        const link = el('a', '发现 [' + (x.i + 1) + '] ' + x.f.message, 'finding-ref ' + x.f.severity);
        link.href = '#finding-' + x.i;
        const p = el('p', '', 'part-finding');
        p.append(link);
        section.append(p);
      }
    }
    parts.append(section);
  }
}
