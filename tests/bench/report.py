"""Medians over rounds, zedge/condure ratios, the printed table and the JSON file."""
import json
import os
import statistics

SERVERS = ("condure", "zedge")
MB = 1024 * 1024
KB = 1024

# (key in a load measurement, label, scale, format). In labels {units}/{unit} name what
# the case counts: requests/req for HTTP, messages/msg for WebSocket echo.
LOAD_METRICS = [
    ("requests_per_s", "{units}/s", 1, "{:,.0f}"),
    ("p50_ms", "p50 latency ms", 1, "{:.2f}"),
    ("p99_ms", "p99 latency ms", 1, "{:.2f}"),
    ("server_cpu_s_per_10k", "server CPU s / 10k {unit}", 1, "{:.3f}"),
    ("peak_rss_bytes", "peak RSS MB", 1 / MB, "{:.1f}"),
    ("client_cpu_s_per_10k", "client CPU s / 10k {unit}", 1, "{:.3f}"),
    ("other_cpu_s_per_s", "other CPU busy s/s (noise)", 1, "{:.2f}"),
]
# Rows that describe the machine or the load client, not the server: no ratio.
NO_RATIO = {"other_cpu_s_per_s", "client_cpu_s_per_10k"}
DEFAULT_UNITS = ("req", "requests")
CASE_WIDTH = 11
IDLE_METRICS = [
    ("rss_per_conn_bytes", "RSS per conn KB @N", 1 / KB, "{:.2f}"),
    ("highest_n", "highest N held", 1, "{:,.0f}"),
    ("rss_at_highest_bytes", "RSS @ highest N MB", 1 / MB, "{:.1f}"),
    ("server_cpu_s_per_s_at_highest", "CPU s/s while full (EMFILE)", 1, "{:.2f}"),
    ("kernel_sunreclaim_per_conn_bytes", "kernel SUnreclaim/conn KB*", 1 / KB, "{:.2f}"),
    ("kernel_slab_per_conn_bytes", "kernel Slab/conn KB*", 1 / KB, "{:.2f}"),
]


def idle_flat(result):
    """The idle result with the kernel figures lifted to the top level for the table."""
    flat = dict(result)
    flat["kernel_sunreclaim_per_conn_bytes"] = result["kernel_at_n"]["sunreclaim_per_conn_bytes"]
    flat["kernel_slab_per_conn_bytes"] = result["kernel_at_n"]["slab_per_conn_bytes"]
    return flat


def median_of(rounds, key):
    values = [r[key] for r in rounds if r.get(key) is not None]
    return statistics.median(values) if values else None


def summarize(runs):
    """{case: {metric: {"condure": median, "zedge": median, "ratio": zedge/condure}}}."""
    summary = {}
    for case, by_server in runs.items():
        metrics = IDLE_METRICS if case == "idle" else LOAD_METRICS
        rows = {}
        for key, *_ in metrics:
            row = {}
            for server in SERVERS:
                rounds = by_server.get(server, [])
                if case == "idle":
                    rounds = [idle_flat(r) for r in rounds]
                row[server] = median_of(rounds, key)
            c, z = row.get("condure"), row.get("zedge")
            row["ratio"] = z / c if c and z is not None and key not in NO_RATIO else None
            rows[key] = row
        if case != "idle":
            for server in SERVERS:
                errors = {}
                for r in by_server.get(server, []):
                    for name, n in r["errors"].items():
                        errors[name] = errors.get(name, 0) + n
                rows.setdefault("errors_total", {})[server] = errors
        summary[case] = rows
    return summary


def _cell(value, scale, fmt):
    return "-" if value is None else fmt.format(value * scale)


def format_table(summary, header, units=None):
    """units: {case: (unit, units)}, e.g. ("msg", "messages"); default requests."""
    units = units or {}
    w = CASE_WIDTH
    lines = [header, ""]
    lines.append(f"{'case':<{w}} {'metric':<28} {'condure':>12} {'zedge':>12} "
                 f"{'zedge/condure':>14}")
    lines.append("-" * (w + 70))
    for case, rows in summary.items():
        metrics = IDLE_METRICS if case == "idle" else LOAD_METRICS
        unit, plural = units.get(case, DEFAULT_UNITS)
        label = case
        for key, name, scale, fmt in metrics:
            row = rows[key]
            ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}"
            name = name.format(unit=unit, units=plural)
            lines.append(f"{label:<{w}} {name:<28} {_cell(row['condure'], scale, fmt):>12} "
                         f"{_cell(row['zedge'], scale, fmt):>12} {ratio:>14}")
            label = ""
        if "errors_total" in rows:
            cells = []
            for server in SERVERS:
                e = rows["errors_total"].get(server, {})
                socket_errors = e.get("connect", 0) + e.get("read", 0) + e.get("write", 0)
                cells.append(f"{e.get('status', 0)}/{e.get('timeout', 0)}/{socket_errors}")
            wrong = "wrong" if unit == "msg" else "non2xx"
            lines.append(f"{'':<{w}} {'errors ' + wrong + '/timeout/socket':<28} "
                         f"{cells[0]:>12} {cells[1]:>12}")
        lines.append("")
    return "\n".join(lines)


def write_json(path, document):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(document, f, indent=1, sort_keys=False)
        f.write("\n")
