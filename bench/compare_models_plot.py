# SPDX-License-Identifier: MIT
"""The PNG of bench/compare-models: requests/s against concurrency, one panel per file and
keep-alive setting, one line per server. Drawn by gnuplot; without it, no plot (and a note)."""

import shutil
import subprocess
import sys


def draw_plot(results, files, concurrency, png_path):
    """Writes `png_path`; returns it, or None when gnuplot is missing or fails."""
    if not shutil.which("gnuplot"):
        print("no plot: gnuplot is not installed (apt-get install gnuplot-nox)", file=sys.stderr)
        return None
    servers = list(dict.fromkeys(r["server"] for r in results))
    panels = [(f, ka) for f in files for ka in (True, False)]
    data_path = png_path.with_suffix(".dat")
    with open(data_path, "w", encoding="utf-8") as out:
        for file_label, keepalive in panels:
            # One gnuplot data block per panel: a row per concurrency, a column per server.
            out.write("conns " + " ".join(f'"{s}"' for s in servers) + "\n")
            for conns in concurrency:
                values = [lookup(results, s, file_label, keepalive, conns) for s in servers]
                out.write(f"{conns} " + " ".join(values) + "\n")
            out.write("\n\n")
    script = [
        "set terminal pngcairo size 1400,900 font ',10'" if has_cairo() else
        "set terminal png size 1400,900",
        f"set output '{png_path}'",
        "set multiplot layout 2,2 title 'learnhttpd worker models vs nginx (requests/s)'",
        "set logscale x 10", "set xlabel 'concurrent connections'", "set ylabel 'requests/s'",
        "set key outside right", "set grid", "set xrange [8:1300]", "set yrange [0:*]",
        "set datafile missing '?'",
    ]
    for index, (file_label, keepalive) in enumerate(panels):
        title = f"{file_label}, keep-alive {'on (wrk)' if keepalive else 'off (ab)'}"
        lines = ", ".join(
            f"'{data_path}' index {index} using 1:{col + 2} with linespoints "
            f"title '{server}' {style(server)}" for col, server in enumerate(servers))
        script += [f"set title '{title}'", f"plot {lines}"]
    script.append("unset multiplot")
    proc = subprocess.run(["gnuplot"], input="\n".join(script), text=True, capture_output=True)
    if proc.returncode != 0:
        print(f"no plot: gnuplot failed: {proc.stderr.strip()}", file=sys.stderr)
        return None
    return png_path


def lookup(results, server, file_label, keepalive, conns):
    for r in results:
        if (r["server"], r["file"], r["keepalive"], r["conns"]) == (server, file_label, keepalive,
                                                                    conns):
            return "?" if r["rps"] is None else f"{r['rps']:.0f}"
    return "?"


def style(server):
    """Colour by server family, dashes for two workers, so the panels read at a glance."""
    colour = {"event": "#1f77b4", "threadpool t4": "#2ca02c", "threadpool t16": "#98df8a",
              "nginx": "#d62728"}
    family = server.rsplit(" ", 1)[0]
    dash = "dt 2" if server.endswith("w2") else "dt 1"
    return f"lc rgb '{colour.get(family, '#7f7f7f')}' lw 2 {dash}"


def has_cairo():
    proc = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
    return "pngcairo" in proc.stdout + proc.stderr
