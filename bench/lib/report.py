#!/usr/bin/env python3
"""Statistics, Markdown table and JSON result file for bench/run (stdlib only).

  report.py pick FILE KEY...    for each KEY, one line: its first value anywhere in the
                                JSON document FILE (empty line when absent or unreadable)
  report.py lock-facts FILE     two lines from a `show --json` manifest: the lock hold in ms
                                (µs resolution when the manifest has held_us) and the lock
                                window's steps as KEY=VALUE words for the row's note
  report.py report WORK RESULT  read WORK/meta.tsv and WORK/measurements.tsv, print the
                                Markdown tables on stdout, write the JSON result to RESULT
"""
import json
import re
import statistics
import sys
from pathlib import Path

FIELDS = ["case", "contender", "rep", "status", "seconds", "rss_kb", "bytes", "lock_ms", "note",
          "user_s", "sys_s", "server_cpu_s"]
NUMERIC = ("seconds", "rss_kb", "bytes", "lock_ms", "user_s", "sys_s", "server_cpu_s")
GIB = 1 << 30

# Which peers each dbkeep contender is compared with. Unlisted cases compare the case's
# dbkeep contender with every other contender of the case.
PAIRINGS = {
    "lock": {"dbkeep snapshot": ["FTWRL + btrfs snapshot"], "dbkeep logical": []},
    "smoke": {"dbkeep logical": ["mariadb-dump", "mariadb-dump + zstd", "mydumper -t 2"],
              "dbkeep snapshot": [], "dbkeep physical": []},
    "encryption": {"dbkeep logical encrypted": ["logical, no encryption"],
                   "dbkeep snapshot encrypted": ["snapshot, no encryption"]},
    "pitr": {"dbkeep archive run": ["mariadb-binlog --raw --stop-never"],
             "dbkeep replay": ["mariadb-binlog to mariadb"]},
    "gzip": {"dbkeep physical gzip": ["mariabackup + pigz", "mariabackup + gzip",
                                      "dbkeep physical zstd", "baseline dbkeep gzip"],
             "dbkeep physical zstd": []},
}

# The issues' ratio targets: (case, dbkeep contender, peer, metric, limit, what it is).
# metric "time" is the ratio of median wall seconds, "cpu" the ratio of median client CPU
# seconds per GiB of source data (user + sys of the client's process tree, server excluded;
# the divisor is the same for every contender, so it is also the ratio of CPU seconds).
TARGETS = [
    ("dump", "dbkeep logical", "mariadb-dump + zstd", "time", 0.4,
     "logical dump wall time ≤ 0.4× `mariadb-dump | zstd -1 -T2`"),
    ("dump", "dbkeep logical", "mydumper -t 2", "time", 1.5,
     "logical dump wall time ≤ 1.5× `mydumper -t 2` (raw)"),
    ("dump", "dbkeep logical", "mydumper -t 2", "cpu", 0.7,
     "logical dump client CPU s/GiB ≤ 0.7× `mydumper -t 2` (raw)"),
    ("dump", "dbkeep logical", "mydumper -t 2 -c", "cpu", 0.7,
     "logical dump client CPU s/GiB ≤ 0.7× `mydumper -t 2 -c`"),
    ("load", "dbkeep restore", "myloader -t 2", "time", 0.8,
     "logical load wall time ≤ 0.8× `myloader -t 2`"),
    ("snapshot", "dbkeep snapshot", "btrfs snapshot + tar + zstd", "time", 1.1,
     "snapshot backup ≤ 1.1× `btrfs snapshot + tar | zstd -1 -T2`"),
    ("physical", "dbkeep physical", "mariabackup + zstd", "time", 1.1,
     "physical backup ≤ 1.1× `mariabackup --stream | zstd -1 -T2`"),
    ("pitr", "dbkeep replay", "mariadb-binlog to mariadb", "time", 1.0,
     "binlog replay wall time ≤ 1.0× `mariadb-binlog | mariadb` (throughput ≥ 1.0×)"),
    ("encryption", "dbkeep logical encrypted", "logical, no encryption", "time", 1.1,
     "encryption costs ≤ 10 % (logical)"),
    ("encryption", "dbkeep snapshot encrypted", "snapshot, no encryption", "time", 1.1,
     "encryption costs ≤ 10 % (snapshot)"),
]


def find_key(node, key):
    """Depth-first search for KEY in nested dicts and lists; None when absent."""
    if isinstance(node, dict):
        if key in node:
            return node[key]
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = find_key(child, key)
        if found is not None:
            return found
    return None


def pick(path, keys):
    try:
        document = json.loads(Path(path).read_text() or "null")
    except (OSError, ValueError):
        document = None
    for key in keys:
        value = find_key(document, key)
        if isinstance(value, dict) and "message" in value:
            value = value["message"]
        if value is None:
            value = ""
        text = value if isinstance(value, str) else json.dumps(value)
        print(" ".join(text.split()))
    return 0


# The snapshot method's lock facts beyond the hold time: the steps inside the window (µs),
# the sync before the lock and the wait for it (ms, both outside the window).
LOCK_DETAILS = [("record_position_us", ("steps_us", "record_position")),
                ("snapshot_us", ("steps_us", "snapshot")), ("unlock_us", ("steps_us", "unlock")),
                ("sync_before_ms", ("sync_before_ms",)), ("wait_ms", ("wait_ms",))]


def lock_facts(path):
    try:
        document = json.loads(Path(path).read_text() or "null")
    except (OSError, ValueError):
        document = None
    lock = find_key(document, "lock")
    lock = lock if isinstance(lock, dict) else {}
    held_us = lock.get("held_us")
    held_ms = held_us / 1000 if isinstance(held_us, (int, float)) else find_key(document,
                                                                                 "lock_held_ms")
    print("" if held_ms is None else f"{held_ms:g}")
    words = []
    for name, path_in_lock in LOCK_DETAILS:
        value = lock
        for key in path_in_lock:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, (int, float)):
            words.append(f"{name}={value:g}")
    print(" ".join(words))
    return 0


def lock_details(rows):
    """Per detail name, the values found in the rows' notes (see lock_facts)."""
    values = {}
    for row in rows:
        for name, _ in LOCK_DETAILS:
            match = re.search(rf"\b{name}=([0-9.]+)", row["note"])
            if match:
                values.setdefault(name, []).append(float(match.group(1)))
    return values


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def read_measurements(work):
    rows = []
    for line in (work / "measurements.tsv").read_text().splitlines():
        values = line.split("\t")
        row = dict(zip(FIELDS, values + [""] * (len(FIELDS) - len(values))))
        for field in NUMERIC:
            row[field] = number(row[field]) if row[field] else None
        # Client CPU: user + sys of the timed command and every descendant it waited for.
        row["cpu_s"] = (round(row["user_s"] + row["sys_s"], 3)
                        if row["user_s"] is not None and row["sys_s"] is not None else None)
        row["rep"] = int(row["rep"]) if row["rep"].isdigit() else None
        rows.append(row)
    return rows


def read_meta(work):
    meta = {}
    for line in (work / "meta.tsv").read_text().splitlines():
        key, _, value = line.partition("\t")
        meta[key] = value
    return meta


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def summarize(rows, data_bytes):
    """One summary per (case, contender), in the order the contenders first appeared.
    DATA_BYTES (the source's InnoDB data + index bytes) is the divisor of CPU s per GiB."""
    gib = data_bytes / GIB if data_bytes else None
    groups = {}
    for row in rows:
        groups.setdefault((row["case"], row["contender"]), []).append(row)
    summaries = []
    for (case, contender), group in groups.items():
        ok = [r for r in group if r["status"] == "ok"]
        not_ok = [r for r in group if r["status"] != "ok"]
        summaries.append({
            "case": case, "contender": contender, "runs": len(ok),
            "status": "ok" if ok else not_ok[0]["status"],
            "message": not_ok[0]["note"] if not_ok else "",
            "failures": len(not_ok),
            "seconds": spread([r["seconds"] for r in ok]),
            "peak_rss_kb": max((r["rss_kb"] for r in ok if r["rss_kb"]), default=None),
            "bytes": spread([r["bytes"] for r in ok]),
            "lock_ms": spread([r["lock_ms"] for r in ok]),
            "cpu_seconds": spread([r["cpu_s"] for r in ok]),
            "user_seconds": spread([r["user_s"] for r in ok]),
            "sys_seconds": spread([r["sys_s"] for r in ok]),
            "cpu_s_per_gib": spread([r["cpu_s"] / gib for r in ok
                                     if gib and r["cpu_s"] is not None]),
            "server_cpu_seconds": spread([r["server_cpu_s"] for r in ok]),
            "lock_ms_missing": sum(1 for r in ok if r["lock_ms"] is None) if case == "lock" else 0,
            "lock_details": {name: spread(values) for name, values in lock_details(ok).items()}
                            if case == "lock" else {},
            "warnings": sorted({part.strip() for r in ok for part in r["note"].split(";")
                                if part.strip().startswith("warning:")}),
        })
    return summaries


def ratio(a, b):
    if a is None or b is None or b["median"] == 0:
        return None
    return round(a["median"] / b["median"], 3)


def ratios(summaries):
    """dbkeep/peer ratios of the medians (time, size, peak RSS, lock hold) per case."""
    by_key = {(s["case"], s["contender"]): s for s in summaries}
    result = []
    for s in summaries:
        if not s["contender"].startswith("dbkeep"):
            continue
        pairing = PAIRINGS.get(s["case"], {})
        peers = pairing.get(s["contender"]) if s["contender"] in pairing else [
            c for (case, c) in by_key if case == s["case"] and not c.startswith("dbkeep")]
        for peer_name in peers:
            peer = by_key.get((s["case"], peer_name))
            if peer is None:
                continue
            available = s["status"] == "ok" and peer["status"] == "ok"
            # In the lock case the contenders do different amounts of work around the
            # lock (a whole backup vs a bare snapshot): only the lock hold compares.
            whole_run = available and s["case"] != "lock"
            rss = None
            if whole_run and s["peak_rss_kb"] and peer["peak_rss_kb"]:
                rss = round(s["peak_rss_kb"] / peer["peak_rss_kb"], 3)
            result.append({
                "case": s["case"], "dbkeep": s["contender"], "peer": peer_name,
                "available": available,
                "time": ratio(s["seconds"], peer["seconds"]) if whole_run else None,
                "size": ratio(s["bytes"], peer["bytes"]) if whole_run else None,
                "peak_rss": rss,
                "lock_ms": ratio(s["lock_ms"], peer["lock_ms"]) if available else None,
                "cpu": ratio(s["cpu_s_per_gib"], peer["cpu_s_per_gib"]) if whole_run else None,
                "reason": "" if available else (s["message"] or peer["message"]),
            })
    return result


def fmt(value, digits=2):
    return "–" if value is None else f"{value:.{digits}f}"


def mib(value):
    return "–" if value is None else f"{value / 1048576:.1f}"


def ratio_cell(case, contender, ratio_rows):
    """For a peer row: dbkeep's median divided by this peer's, per metric."""
    cells = []
    for r in ratio_rows:
        if r["case"] != case or r["peer"] != contender:
            continue
        if not r["available"]:
            cells.append("n/a")
            continue
        parts = [] if r["time"] is None else [f"time {fmt(r['time'])}×"]
        if r["size"] is not None:
            parts.append(f"size {fmt(r['size'])}×")
        if r["peak_rss"] is not None:
            parts.append(f"RSS {fmt(r['peak_rss'])}×")
        if r["cpu"] is not None:
            parts.append(f"CPU {fmt(r['cpu'])}×")
        if r["lock_ms"] is not None:
            parts.append(f"lock {fmt(r['lock_ms'])}×")
        cells.append(", ".join(parts) or "n/a")
    return "; ".join(cells)


def status_text(s):
    return "not available" if s["status"] == "unavailable" else s["status"]


def main_table(summaries, ratio_rows):
    lines = ["| case | contender | runs | median s | min s | max s | client CPU s | CPU s/GiB "
             "| server CPU s | peak RSS MiB | output MiB | dbkeep ÷ this peer |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for s in summaries:
        if s["case"] == "lock":
            continue
        if s["status"] != "ok":
            lines.append(f"| {s['case']} | {s['contender']} | 0 | {status_text(s)} "
                         "| | | | | | | | |")
            continue
        t = s["seconds"]
        size = s["bytes"]["median"] if s["bytes"] else None
        rss = s["peak_rss_kb"] * 1024 if s["peak_rss_kb"] else None
        lines.append(f"| {s['case']} | {s['contender']} | {s['runs']} | {fmt(t['median'])} "
                     f"| {fmt(t['min'])} | {fmt(t['max'])} | {median_of(s['cpu_seconds'])} "
                     f"| {median_of(s['cpu_s_per_gib'])} | {median_of(s['server_cpu_seconds'])} "
                     f"| {mib(rss)} | {mib(size)} "
                     f"| {ratio_cell(s['case'], s['contender'], ratio_rows)} |")
    return lines


def median_of(stats, digits=2):
    return "–" if stats is None else fmt(stats["median"], digits)


def targets(ratio_rows):
    """Every target whose dbkeep contender and peer both ran: measured ratio and met or not."""
    by_pair = {(r["case"], r["dbkeep"], r["peer"]): r for r in ratio_rows}
    result = []
    for case, dbkeep, peer, metric, limit, text in TARGETS:
        r = by_pair.get((case, dbkeep, peer))
        if r is None:
            continue
        measured = r[metric] if r["available"] else None
        result.append({"case": case, "dbkeep": dbkeep, "peer": peer, "metric": metric,
                       "limit": limit, "target": text, "measured": measured,
                       "met": None if measured is None else measured <= limit,
                       "reason": "" if measured is not None else (r["reason"] or "no value")})
    return result


def target_table(target_rows):
    if not target_rows:
        return []
    lines = ["", "Targets (ratio of medians; `cpu` = client CPU s per GiB of source data):", "",
             "| target | metric | measured | limit | met? |", "|---|---|---:|---:|---|"]
    for t in target_rows:
        met = "n/a" if t["met"] is None else ("met" if t["met"] else "**not met**")
        measured = "–" if t["measured"] is None else f"{fmt(t['measured'])}×"
        text = t["target"].replace("|", "\\|")
        lines.append(f"| {text} | {t['metric']} | {measured} | ≤ {t['limit']:.2f}× "
                     f"| {met} |")
    return lines


def lock_table(summaries, ratio_rows, meta):
    rows = [s for s in summaries if s["case"] == "lock"]
    if not rows:
        return []
    tps = meta.get("lock_sysbench_tps") or "?"
    lines = ["", f"Lock hold while sysbench oltp_write_only ran ({tps} tps on average, "
             f"{meta.get('lock_backups', '?')} backups per contender):", "",
             "| contender | backups | median lock ms | max lock ms | median backup s "
             "| dbkeep ÷ this peer |", "|---|---:|---:|---:|---:|---|"]
    for s in rows:
        if s["status"] != "ok":
            lines.append(f"| {s['contender']} | 0 | {status_text(s)} | | | |")
            continue
        lock = s["lock_ms"]
        median = fmt(lock["median"], 1) if lock else "n/a"
        maximum = fmt(lock["max"], 1) if lock else "n/a"
        lines.append(f"| {s['contender']} | {s['runs']} | {median} | {maximum} "
                     f"| {fmt(s['seconds']['median'])} "
                     f"| {ratio_cell('lock', s['contender'], ratio_rows)} |")
    lines += lock_detail_lines(rows)
    return lines


def lock_detail_lines(rows):
    """Where the time of the lock window went, for the contenders whose manifests say."""
    lines = []
    for s in rows:
        details = s.get("lock_details") or {}
        if not details:
            continue

        def cell(name, scale):
            d = details.get(name)
            return f"{fmt(d['median'] / scale, 1)} / {fmt(d['max'] / scale, 1)}" if d else "n/a"
        if not lines:
            lines = ["", "Lock window steps (median / max ms; the sync before the lock and the "
                     "wait for it are outside the window):", "",
                     "| contender | record position | snapshot | unlock | sync before | lock wait |",
                     "|---|---:|---:|---:|---:|---:|"]
        lines.append(f"| {s['contender']} | {cell('record_position_us', 1000)} "
                     f"| {cell('snapshot_us', 1000)} | {cell('unlock_us', 1000)} "
                     f"| {cell('sync_before_ms', 1)} | {cell('wait_ms', 1)} |")
    return lines


def notes(summaries, meta):
    lines = ["", f"Machine: {meta.get('nproc')} cores ({meta.get('cpu')}), {meta.get('memory')}, "
             f"kernel {meta.get('kernel')}, {meta.get('os')}; {meta.get('mariadb')}.",
             f"Data: sysbench {meta.get('tables')} tables × {meta.get('rows_per_table')} rows "
             f"(scale {meta.get('scale')}, {mib(number(meta.get('data_bytes') or 'x'))} MiB in "
             f"InnoDB), repetitions: {meta.get('reps')}, storage {meta.get('storage')}, "
             f"{meta.get('date_utc')}, whole run {meta.get('total_seconds')} s.",
             f"Load average at start {meta.get('loadavg_start')}, at end {meta.get('loadavg_end')} "
             f"(well above {meta.get('nproc')} means other work competed for the cores).",
             "Client CPU s = user + sys of the timed command's whole process tree (both sides of "
             "a pipeline, every thread), from wait4(); the MariaDB server is not in it (its own "
             "CPU over the same interval is the server CPU column). CPU s/GiB divides by the "
             f"source's InnoDB data + index size ({mib(number(meta.get('data_bytes') or 'x'))} "
             "MiB), the same divisor for every contender."]
    if meta.get("pitr_lag"):
        lines.append(f"pitr: archive lag from commit to stored segment: {meta['pitr_lag']}; "
                     f"sysbench oltp_write_only {meta.get('pitr_sysbench_tps')} tps; "
                     f"{mib(number(meta.get('pitr_binlog_bytes') or 'x'))} MiB of binlog archived "
                     "and replayed. The archive rows compare CPU and peak RSS only (both ran "
                     "for the same time); the replay rows compare wall time.")
    problems = [s for s in summaries if s["status"] != "ok" or s["failures"] or s["warnings"]]
    if problems:
        lines.append("")
    for s in problems:
        if s["status"] != "ok" or s["failures"]:
            label = status_text(s) if s["status"] != "ok" else f"{s['failures']} failed run(s)"
            lines.append(f"- {s['case']} / {s['contender']}: {label}: {s['message']}")
        for warning in s["warnings"]:
            lines.append(f"- {s['case']} / {s['contender']}: {warning}")
    return lines


def report(work, result_path):
    meta = read_meta(work)
    rows = read_measurements(work)
    summaries = summarize(rows, number(meta.get("data_bytes") or "x"))
    ratio_rows = ratios(summaries)
    target_rows = targets(ratio_rows)
    print("\n".join(main_table(summaries, ratio_rows) + lock_table(summaries, ratio_rows, meta)
                    + target_table(target_rows) + notes(summaries, meta)))
    document = {"meta": meta, "summary": summaries, "ratios": ratio_rows, "targets": target_rows,
                "measurements": rows}
    Path(result_path).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return 0


def main(argv):
    if len(argv) >= 4 and argv[1] == "pick":
        return pick(argv[2], argv[3:])
    if len(argv) == 3 and argv[1] == "lock-facts":
        return lock_facts(argv[2])
    if len(argv) == 4 and argv[1] == "report":
        return report(Path(argv[2]), argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
