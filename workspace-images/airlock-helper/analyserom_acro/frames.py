"""Where a check's records come from, as the control plane must be told.

ACRO's calls take in-memory pandas objects; the control plane computes every check itself from
a file. The helper writes the columns a call uses (and only those) as CSV to
`/outputs/.acro/<sha256 of the bytes, 16 hex>.csv` and names it as the source
(`{"output": ".acro/….csv"}`); the control plane copies those bytes before it reads them and
records their sha256, so the check is bound to exactly the records it was computed from, and the
file stays there for the airlock to recompute the output at export.

Why never `{"copy": file}` for a DataFrame: nothing in the room can show that a DataFrame is a
file of /data unchanged (a filter, a merge or a recode leaves it looking the same), and a check
computed from the copy while the researcher's frame was filtered would record the wrong numbers.
Scripts that want the copy itself can call `analyserom_airlock.check_table({"copy": ...}, spec)`.
"""

import hashlib
import inspect
import os

import pandas as pd

from analyserom_airlock import notebook as airlock_notebook

STAGING = ".acro"


def outputs_dir():
    return os.environ.get("ANALYSEROM_OUTPUTS", "/outputs")


def as_series(obj, default_name):
    """A Series named as pandas would name it in a crosstab (its name, else `default_name`)."""
    series = obj if isinstance(obj, pd.Series) else pd.Series(obj)
    name = series.name if series.name is not None else default_name
    return series.rename(str(name))


def axis_list(obj):
    """ACRO's axis_to_list: one array-like or a list of them."""
    if isinstance(obj, (list, tuple)) and obj and not isinstance(obj[0], (str, int, float, bool)):
        return list(obj)
    return [obj]


def unique_names(series_list):
    """Renames repeats (`x`, `x_1`, ...) so that every column of the staged file has its own name."""
    seen = set()
    out = []
    for s in series_list:
        name, i = s.name, 0
        while name in seen:
            i += 1
            name = "%s_%d" % (s.name, i)
        seen.add(name)
        out.append(s.rename(name))
    return out


def stage(frame):
    """Writes `frame` (no index) as CSV under /outputs/.acro; returns the source for the check."""
    data = frame.to_csv(index=False, na_rep="", lineterminator="\n").encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()[:16]
    folder = os.path.join(outputs_dir(), STAGING)
    os.makedirs(folder, exist_ok=True)
    rel = "%s/%s.csv" % (STAGING, digest)
    path = os.path.join(outputs_dir(), rel)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return {"output": rel}


def calling_command(default):
    """The source line that called into ACRO (acro/utils.py get_command), else `default`."""
    here = os.path.dirname(os.path.abspath(__file__))
    for frame in inspect.stack(context=1)[1:]:
        if os.path.dirname(os.path.abspath(frame.filename)) == here:
            continue
        if frame.code_context:
            return "\n".join(frame.code_context).strip()
        break
    return default


def notebook():
    """The notebook running this code, where the kernel says (see analyserom_airlock.notebook)."""
    return airlock_notebook()
