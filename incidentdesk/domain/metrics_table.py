"""The report as rows of text cells, shared by `incidentdesk report` and the reports screen.

Works on the report's plain-dict form (store/metrics.Report.as_dict()), so it stays pure and the
CLI's table, its CSV and the console's tables cannot drift apart.
"""

from __future__ import annotations

from incidentdesk.domain.metrics import DURATIONS, human_duration

RATES_HEAD = ("logged", "resolved", "backlog", "backlog age p50", "FCR %", "reopen %", "escalated %",
              "response met %", "resolution met %", "CSAT (n)")
DURATION_HEAD = tuple(DURATIONS)


def _pct(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def _who(row: dict, by: str) -> tuple[str, str]:
    key = "all" if row["key"] is None else str(row["key"])
    prio = "all" if row["priority"] is None else f"P{row['priority']}"
    return key, prio


def key_head(by: str) -> tuple[str, ...]:
    return ("priority",) if by == "priority" else (by, "priority")


def _keys(row: dict, by: str) -> tuple[str, ...]:
    key, prio = _who(row, by)
    return (prio,) if by == "priority" else (key, prio)


def rates_rows(report: dict) -> list[tuple[str, ...]]:
    """Volume, backlog and rates: one line per group of the report."""
    out = []
    for r in report["rows"]:
        csat = "-" if r["csat_avg"] is None else f"{r['csat_avg']:.2f} ({r['csat_n']})"
        out.append((*_keys(r, report["by"]), str(r["created"]), str(r["resolved"]), str(r["open"]),
                    human_duration(r["age"]["p50"]), _pct(r["fcr_rate"]), _pct(r["reopen_rate"]),
                    _pct(r["escalation_rate"]), _pct(r["response_met_pct"]), _pct(r["resolution_met_pct"]), csat))
    return out


def duration_rows(report: dict) -> list[tuple[str, ...]]:
    """Each duration as mean / median / p90 (short units), one line per group."""
    out = []
    for r in report["rows"]:
        cells = []
        for m in DURATIONS:
            s = r[m]
            cells.append("-" if not s["n"] else
                         f"{human_duration(s['mean'])} / {human_duration(s['p50'])} / {human_duration(s['p90'])}")
        out.append((*_keys(r, report["by"]), *cells))
    return out


def csv_rows(report: dict) -> list[list]:
    """One flat line per group: every count, rate and duration figure (seconds), for a spreadsheet."""
    head = ["since", "until", "by", "key", "priority"]
    sample = report["rows"][0] if report["rows"] else None
    scalar = [k for k in (sample or {}) if k not in ("key", "priority") and not isinstance(sample[k], dict)]
    nested = [k for k in (sample or {}) if isinstance(sample[k], dict)]
    head += scalar + [f"{m}_{f}" for m in nested for f in ("n", "mean", "p50", "p90")]
    out = [head]
    for r in report["rows"]:
        out.append([report["since"], report["until"], report["by"], "" if r["key"] is None else r["key"],
                    "" if r["priority"] is None else r["priority"], *(r[k] for k in scalar),
                    *(r[m][f] for m in nested for f in ("n", "mean", "p50", "p90"))])
    return out


def render_table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """Left-aligned text columns padded to their widest cell (untrusted text: callers print it plain)."""
    widths = [max(len(str(c)) for c in col) for col in zip(head, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return [line(head), line(["-" * w for w in widths]), *(line(r) for r in rows)]
