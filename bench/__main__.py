"""`make bench`: run every benchmark and print one table.

Each benchmark module exposes run() -> list of rows (dicts with the columns below), and
measures against a baseline in the same run.
"""

import importlib
import sys

BENCHMARKS = ["bench.home_page", "bench.directory_import", "bench.notice_list",
              "bench.notice_publish",
              "bench.wechat_callback", "bench.notification_fanout",
              "bench.ticket_queue", "bench.ticket_submit", "bench.ticket_report",
              "bench.payment_notify", "bench.bill_generation", "bench.bill_page",
              "bench.visitor_verify", "bench.merchant_orders"]
COLUMNS = ["benchmark", "case", "value", "unit", "target", "ok"]


def main():
    rows = []
    for name in BENCHMARKS:
        rows.extend(importlib.import_module(name).run())
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in COLUMNS}
    print("  ".join(c.ljust(widths[c]) for c in COLUMNS))
    for row in rows:
        print("  ".join(str(row.get(c, "")).ljust(widths[c]) for c in COLUMNS))
    return 0 if all(row.get("ok", True) is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
