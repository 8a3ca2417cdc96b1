"""Writes acro-1.0.1-results.json: what ACRO 1.0.1 itself writes for a crosstab and a pivot_table.

Run with ACRO 1.0.1's `acro/` folder on PYTHONPATH (git archive v1.0.1 acro of AI-SDC/ACRO; a
stub `tabulate` module is enough, ACRO uses it only to print), from this folder:
    PYTHONPATH=/tmp/acro101/stubs:/tmp/acro101 /usr/bin/python3 make-reference.py
The test compares the keys and shapes of our results.json with it; timestamps are blanked
and the file is then formatted as the project formats JSON (npx biome format --write).
"""

import json
import shutil

import pandas as pd
from acro import ACRO

df = pd.DataFrame({"year": [2010] * 30 + [2011] * 25 + [2012] * 3, "grant": ["a", "b"] * 29, "inc": [float(i) for i in range(58)]})
acro = ACRO(suppress=False)
acro.crosstab(df.year, df.grant)
acro.pivot_table(df, index=["year"], values=["inc"], aggfunc=["mean", "std"])
acro.add_comments("output_0", "hello")
shutil.rmtree("/tmp/acro-reference", ignore_errors=True)
acro.finalise("/tmp/acro-reference", "json")
with open("/tmp/acro-reference/results.json", encoding="utf-8") as fh:
    results = json.load(fh)
for out in results["results"].values():
    out["timestamp"] = ""
with open("acro-1.0.1-results.json", "w", encoding="utf-8") as fh:
    json.dump(results, fh, indent=2)
    fh.write("\n")
