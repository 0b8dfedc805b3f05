// The region overview (docs/console.md): the agencies of a region and year
// with their state, counts by state as a chart, drill-down by region
// prefix, CSV export. Every text that came from a report or the registry is
// set with textContent, never as markup.
'use strict';

const STATE_NAMES = {
  NOT_SUBMITTED: '未报送',
  HAS_ERRORS: '有错误',
  AWAITING_REVIEW: '待审核',
  REJECTED: '已退回',
  CLEARED: '已可发布',
};



let chart = null, ruleChart = null;

// The most frequent rules of the region's latest versions (GetRegionSummary).
function renderRules(summary) {
  const rules = summary.most_frequent_rules || [];
  const ol = document.getElementById('rules');
  ol.replaceChildren(...rules.map((r) => {
    const li = el('li', '', 'rule');
    li.dataset.rule = r.rule_id;
    li.append(el('code', r.rule_id), ' ', el('span', r.count, 'n'));
    return li;
  }));
  if (window.Chart) {
    if (ruleChart) ruleChart.destroy();
    ruleChart = new window.Chart(document.getElementById('rule-chart'), {
      type: 'bar',
      data: {labels: rules.map((r) => r.rule_id),
             datasets: [{label: '发现数', data: rules.map((r) => Number(r.count)), backgroundColor: '#b42318'}]},
      options: {animation: false, indexAxis: 'y', plugins: {legend: {display: false}}},
    });
  }
}

// Rows shown at a time: a province has thousands of agencies; the counts
// and the chart are of all of them, the table pages through them.
const PAGE_ROWS = 200;
let shown = {region: '', year: '', agencies: [], page: 0};

function renderRows() {
  const {region, year, agencies, page} = shown;
  const tbody = document.querySelector('#agencies tbody');
  const rows = [];
  for (const a of agencies.slice(page * PAGE_ROWS, (page + 1) * PAGE_ROWS)) {
    const state = a.state || 'NOT_SUBMITTED';
    const tr = el('tr');
    tr.dataset.agency = a.agency.id;
    tr.dataset.state = state;
    tr.append(el('td', a.agency.name));
    const code = el('td');
    const drill = el('a', a.agency.region_code);
    const prefix = String(a.agency.region_code || '').slice(0, Math.min(6, region.length + 2));
    drill.href = '/?region=' + encodeURIComponent(prefix) + '&year=' + encodeURIComponent(year);
    code.append(drill);
    tr.append(code);
    tr.append(el('td', STATE_NAMES[state] || state, 'state ' + state));
    tr.append(el('td', a.overdue ? '逾期' : '', a.overdue ? 'overdue' : ''));
    tr.append(el('td', a.error_count || 0));
    tr.append(el('td', a.warning_count || 0));
    tr.append(el('td', a.due_date || ''));
    const latest = el('td');
    if (a.latest_version) {
      const link = el('a', a.latest_version);
      link.href = '/report?version=' + encodeURIComponent(a.latest_version);
      latest.append(link);
    }
    tr.append(latest);
    rows.push(tr);
  }
  tbody.replaceChildren(...rows);
  const pages = Math.max(1, Math.ceil(agencies.length / PAGE_ROWS));
  document.getElementById('page').textContent = '第 ' + (page + 1) + ' / ' + pages + ' 页';
  document.getElementById('prev').disabled = page === 0;
  document.getElementById('next').disabled = page + 1 >= pages;
}

function render(region, year, agencies) {
  shown = {region, year, agencies, page: 0};
  renderRows();
  const counts = {};
  for (const a of agencies) {
    const state = a.state || 'NOT_SUBMITTED';
    counts[state] = (counts[state] || 0) + 1;
  }
  const box = document.getElementById('counts');
  box.replaceChildren();
  const labels = [], values = [];
  for (const [state, name] of Object.entries(STATE_NAMES)) {
    const n = counts[state] || 0;
    const item = el('div', '', 'count');
    item.dataset.state = state;
    item.append(el('span', name, 'name'), el('span', n, 'n'));
    box.append(item);
    labels.push(name);
    values.push(n);
  }
  const overdue = agencies.filter((a) => a.overdue).length;
  const item = el('div', '', 'count overdue');
  item.dataset.state = 'OVERDUE';
  item.append(el('span', '逾期', 'name'), el('span', overdue, 'n'));
  box.append(item);
  if (window.Chart) {
    if (chart) chart.destroy();
    chart = new window.Chart(document.getElementById('state-chart'), {
      type: 'bar',
      data: {labels, datasets: [{label: '机关数', data: values, backgroundColor: '#2f6fb3'}]},
      options: {animation: false, plugins: {legend: {display: false}}},
    });
  }
  document.body.dataset.loaded = 'true';
  // For bench/console_page_bench.py: from navigation to the list drawn.
  document.body.dataset.renderMs = String(Math.round(performance.now()));
}

async function load() {
  const params = new URLSearchParams(location.search);
  const region = (params.get('region') || '').replace(/[^0-9]/g, '').slice(0, 6);
  const year = (params.get('year') || '').replace(/[^0-9]/g, '').slice(0, 4);
  document.getElementById('region').value = region;
  document.getElementById('year').value = year;
  const message = document.getElementById('message');
  try {
    const session = await getJson('/api/session');
    document.getElementById('user').textContent = session.principal;
    if (!region || !year) {
      message.textContent = '请输入区划代码前缀和年度。';
      return;
    }
    const base = '/api/regions/' + region + '/years/' + year;
    document.getElementById('csv').href = base + '/agencies.csv';
    const refresh = async () => {
      const [list, summary] = await Promise.all([getJson(base + '/agencies'), getJson(base + '/summary')]);
      renderRules(summary);
      render(region, year, list.agencies || []);
      message.textContent = '共 ' + (list.agencies || []).length + ' 个机关。';
    };
    await refresh();
    // Live: any event of the region (audited, signed off, cleared) reloads
    // the list, once per burst. EventSource reconnects by itself, resuming
    // after the last event it saw (Last-Event-ID).
    let pending = null;
    const events = new EventSource('/api/regions/' + region + '/events');
    events.addEventListener('audit', () => {
      if (pending) return;
      pending = setTimeout(() => { pending = null; refresh().catch(() => {}); }, 500);
    });
  } catch (e) {
    message.textContent = '无法显示：' + e.message;
    message.classList.add('error');
    document.body.dataset.loaded = 'error';
  }
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('prev').addEventListener('click', () => {
    if (shown.page > 0) { shown.page -= 1; renderRows(); }
  });
  document.getElementById('next').addEventListener('click', () => {
    if ((shown.page + 1) * PAGE_ROWS < shown.agencies.length) { shown.page += 1; renderRows(); }
  });
  load();
});
