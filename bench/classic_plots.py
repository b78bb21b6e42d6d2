#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The plots of the classic tables (bench/compare-models --classic), one PNG per table, drawn
with gnuplot from the run's own table.md, so a results folder can be redrawn at any time:

  bench/classic_plots.py bench/results/classic-<time>/

  models-classic.png          table 1: requests/s by model (wrk -t2 -c10, 38 B)
  models-classic-clients.png  table 2: seconds to finish for each client count (the cap when
                              not everyone finished)
  models-classic-gzip.png     table 3: requests/s by model, on-the-fly gzip
  models-classic-rate.png     table 4: p50 and p99 latency at a fixed rate (log scale)
  models-classic-sweep.png    table 5: requests/s by pool size, with and without the access log
Python 3 standard library and gnuplot (Debian: gnuplot-nox); without gnuplot nothing is drawn.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

TERMINAL = "set terminal pngcairo size 900,450 font ',10'\n"


def read_tables(path):
    """[(title, header, rows)] of the Markdown tables in `path`, cells as stripped strings."""
    tables, title = [], ""
    lines = Path(path).read_text().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("**") and line.endswith("**"):
            title = line.strip("*")
        elif line.startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("|-"):
            header = [c.strip() for c in line.strip("|").split("|")]
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append([c.strip() for c in lines[i].strip("|").split("|")])
                i += 1
            tables.append((title, header, rows))
            continue
        i += 1
    return tables


def number(cell, cap=None):
    """A table cell as a number: "21,295" -> 21295, "> 45" -> the cap (45), "–" -> None."""
    if cell.startswith(">"):
        return cap if cap is not None else float(cell[1:].strip().replace(",", ""))
    try:
        return float(cell.replace(",", ""))
    except ValueError:
        return None


def gnuplot(script):
    subprocess.run(["gnuplot"], input=script, text=True, check=False, timeout=60,
                   capture_output=True)


def bars(out, name, title, ylabel, labels, series, logscale=False):
    """Clustered bars: `series` is [(legend, [value per label])]; None is drawn as 0."""
    data = out / f"{name}.dat"
    data.write_text("".join(
        f"\"{label}\" " + " ".join(str(values[i] or 0) for _, values in series) + "\n"
        for i, label in enumerate(labels)))
    png = out / f"{name}.png"
    plots = ", ".join(f"'{data}' using {k + 2}:xtic(1) title '{legend}'"
                      for k, (legend, _) in enumerate(series))
    gnuplot(TERMINAL + f"set output '{png}'\nset style data histograms\n"
            "set style histogram clustered gap 1\nset style fill solid border -1\n"
            f"set title '{title}'\nset ylabel '{ylabel}'\nset xtics rotate by -30\n"
            "set yrange [0:*]\n" + ("set logscale y\nset yrange [*:*]\n" if logscale else "")
            + ("unset key\n" if len(series) == 1 else "set key above\n")
            + f"plot {plots}\n")
    return png


def plot_tables(table_md, out):
    """Draws every plot of the module docstring into `out`; returns the PNGs written."""
    if not shutil.which("gnuplot"):
        return []
    out = Path(out)
    tables = read_tables(table_md)
    if len(tables) != 5:
        return []
    (t1, _, small), (t2, _, many), (t3, _, cpu), (t4, _, rate), (t5, _, sweep) = tables
    pngs = []

    models = [r[0] for r in small]
    pngs.append(bars(out, "models-classic", t1, "requests/s", models,
                     [("requests/s", [number(r[1]) for r in small])]))

    cap_match = re.search(r"cap (\d+) s", t2)
    cap = float(cap_match.group(1)) if cap_match else None
    counts = list(dict.fromkeys(r[1] for r in many))
    clients_models = list(dict.fromkeys(r[0] for r in many))
    finish = {(r[0], r[1]): number(r[3], cap) for r in many}
    pngs.append(bars(out, "models-classic-clients",
                     "Seconds until every client finished (a bar at the cap: not all did)",
                     "seconds", clients_models,
                     [(f"{c} clients", [finish.get((m, c)) for m in clients_models])
                      for c in counts]))

    pngs.append(bars(out, "models-classic-gzip", t3, "requests/s", [r[0] for r in cpu],
                     [("requests/s", [number(r[1]) for r in cpu])]))

    pngs.append(bars(out, "models-classic-rate", t4 + " (log scale)", "latency (ms)",
                     [r[0] for r in rate],
                     [("p50", [number(r[1]) for r in rate]),
                      ("p99", [number(r[3]) for r in rate])], logscale=True))

    data = out / "models-classic-sweep.dat"
    series = list(dict.fromkeys((r[0], r[2]) for r in sweep))
    blocks = []
    for model, log in series:
        blocks.append("".join(f"{r[1]} {number(r[3]) or 0}\n" for r in sweep
                              if (r[0], r[2]) == (model, log)))
    data.write_text("\n\n".join(blocks))
    png = out / "models-classic-sweep.png"
    plots = ", ".join(f"'{data}' index {k} using 1:2 with linespoints title "
                      f"'{model}, access log {log}'" for k, (model, log) in enumerate(series))
    gnuplot(TERMINAL + f"set output '{png}'\nset title '{t5}'\nset xlabel 'threads'\n"
            "set ylabel 'requests/s'\nset logscale x\nset xtics (1, 4, 10, 50)\n"
            "set yrange [0:*]\nset key bottom right\n" f"plot {plots}\n")
    pngs.append(png)
    return [p for p in pngs if p.exists()]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: bench/classic_plots.py RESULTS_DIR (holding table.md)")
    folder = Path(sys.argv[1])
    for written in plot_tables(folder / "table.md", folder):
        print(written)
