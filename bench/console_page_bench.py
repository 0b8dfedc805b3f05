#!/usr/bin/python3
"""The region overview page with 10,000 agencies, rendered in headless
Chromium, against the same page with an empty region in the same run
(docs/performance.md). The console's JSON API is measured on its own
(bench/console_bench.cc); here the page's answers are replayed from files
over plain HTTP (this Chromium has no client certificate, docs/console.md),
so what is measured is the page: fetching and parsing 2.4 MB of JSON, the
counts and the chart of all agencies, the first page of rows, the layout.

Usage: console_page_bench.py [RUNS]   (default 5; needs /usr/bin/chromium)
"""
import http.server
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGES = os.path.join(ROOT, "console", "pages")
CHART = "/usr/share/javascript/chart.js/chart.min.js"


def make_data(folder):
    states = ["NOT_SUBMITTED", "HAS_ERRORS", "AWAITING_REVIEW", "REJECTED", "CLEARED"]
    agencies = []
    for i in range(10000):
        a = {"agency": {"id": f"ag-{i:05d}", "name": f"测试机关{i:05d}",
                        "region_code": f"41{i % 100:02d}{i % 7:02d}"},
             "year": 2021, "state": states[i % 5], "due_date": "2022-01-31", "overdue": i % 3 == 0}
        if a["state"] != "NOT_SUBMITTED":
            a.update(latest_version=f"agencies/ag-{i:05d}/reports/2021/versions/1",
                     error_count=i % 4, warning_count=i % 6)
        agencies.append(a)
    for region, rows in (("41", agencies), ("42", [])):
        path = os.path.join(folder, "api", "regions", region, "years", "2021")
        os.makedirs(path)
        with open(os.path.join(path, "agencies"), "w") as f:
            json.dump({"agencies": rows}, f, ensure_ascii=False)
        with open(os.path.join(path, "summary"), "w") as f:
            rules = [{"rule_id": r, "count": str(len(rows) // (i + 2))}
                     for i, r in enumerate(["T3-OUT", "T3-BAL", "N-COUNT", "EMPTY"])] if rows else []
            json.dump({"name": f"regions/{region}/years/2021", "agencies": len(rows),
                       "most_frequent_rules": rules}, f)
    with open(os.path.join(folder, "api", "session"), "w") as f:
        json.dump({"principal": "oversight-henan", "csrf_token": "-"}, f)


def serve(folder):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            path = self.path.split("?")[0]
            if path == "/":
                f = os.path.join(PAGES, "index.html")
            elif path == "/static/chart.js":
                f = CHART
            elif path.startswith("/static/"):
                f = os.path.join(PAGES, path[len("/static/"):])
            else:
                f = os.path.join(folder, path.lstrip("/"))
            try:
                data = open(f, "rb").read()
            except OSError:
                self.send_response(404)
                self.end_headers()
                return
            kind = ("text/html" if f.endswith(".html") else "text/javascript" if f.endswith(".js")
                    else "text/css" if f.endswith(".css") else "application/json")
            self.send_response(200)
            self.send_header("Content-Type", kind + "; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def render(port, region):
    start = time.perf_counter()
    out = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                          "--window-size=1366,768", "--virtual-time-budget=30000", "--dump-dom",
                          f"http://127.0.0.1:{port}/?region={region}&year=2021"],
                         capture_output=True, text=True, timeout=120).stdout
    seconds = time.perf_counter() - start
    if 'data-loaded="true"' not in out:
        sys.exit(f"console_page_bench: the page for region {region} did not load")
    total = re.search(r"共 (\d+) 个机关", out)
    return seconds, int(total.group(1)) if total else -1


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as folder:
        make_data(folder)
        port = serve(folder)
        empty, full = [], []
        for _ in range(runs):
            empty.append(render(port, "42")[0])
            seconds, total = render(port, "41")
            if total != 10000:
                sys.exit(f"console_page_bench: the page counted {total} agencies, not 10000")
            full.append(seconds)
        e, f = statistics.median(empty), statistics.median(full)
        print(f"empty region (reference): median {e:.3f} s of {runs} (Chromium start, the page, no rows)")
        print(f"10,000 agencies:          median {f:.3f} s of {runs}")
        print(f"the 10,000 agencies' own cost: {f - e:.3f} s; ratio {f / e:.2f}x")


if __name__ == "__main__":
    main()
