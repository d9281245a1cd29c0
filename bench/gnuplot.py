# SPDX-License-Identifier: Apache-2.0
"""The one way the benchmark draws: lines over N, both axes logarithmic, through gnuplot."""
import os
import subprocess


def draw(png, rows, titles, settings, styles=None):
    """Writes `png`, one line per title. `rows` are (N, values), a value None where a series has
    no point; `settings` are gnuplot lines (terminal size, title, labels, key); `styles` is
    an optional gnuplot style per title, such as 'dashtype 2 '."""
    data = png[:-len(".png")] + ".dat"
    with open(data, "w") as f:
        for n, values in rows:
            f.write(f"{n} " + " ".join("?" if v is None else f"{v:.4f}" for v in values) + "\n")
    styles = styles or [""] * len(titles)
    script = "\n".join([*settings, f"set output '{png}'", "set logscale xy",
                        "set datafile missing '?'",
                        "plot " + ", ".join(f"'{data}' using 1:{i + 2} with linespoints {style}"
                                            f"title '{title}'"
                                            for i, (title, style) in enumerate(zip(titles, styles)))])
    subprocess.run(["gnuplot"], input=script, text=True, check=False)
    os.remove(data)
