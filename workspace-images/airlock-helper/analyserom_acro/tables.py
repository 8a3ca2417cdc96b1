"""ACRO's table calls (`crosstab`, `pivot_table`) as table specs for the control plane, and its
answer as what ACRO returns and records: the DataFrame, the `sdc` block and the `outcome`.

The table's labels and values are the control plane's (`answer["table"]`); the helper only lays
them out as pandas would (index and column level names, `margins_name`, the values level a
`values=[...]` list adds).
"""

import json

import pandas as pd

from .frames import as_series, unique_names

#: Our rule names (disclosure/table-rules.ts) as ACRO 1.0.1 names its checks (acro/checks.json).
#: `negative` and `suppressed` have no ACRO 1.0.1 check: they keep our names.
ACRO_CHECKS = {
    "threshold": "MinimumThresholdCheck",
    "zeros": "PresenceOfZeroCheck",
    "nk": "NKCheck",
    "p-ratio": "PPercentCheck",
    "dof": "MinimumDoFCheck",
    "missing": "MissingCheck",
    "negative": "negative",
    "suppressed": "suppressed",
    "differencing": "PresenceOfLinkedTableCheck",
}
#: Rules whose cells ACRO's suppression blanks (the failing ones; review rules only flag).
FAIL_RULES = ("threshold", "zeros", "nk", "p-ratio", "dof")


class TableShape:
    """How to lay out a checked table as pandas would have: level names and label fix-ups."""

    def __init__(self, index_names, column_names, by_aggfunc, values_level=None, margins_name="All", margins=False):
        self.index_names = list(index_names)
        self.column_names = list(column_names)
        self.by_aggfunc = by_aggfunc
        self.values_level = values_level
        self.margins_name = margins_name
        self.margins = margins

    def col_label(self, labels):
        labels = list(labels)
        if self.values_level is not None and self.column_names:
            labels.insert(1 if self.by_aggfunc else 0, self.values_level)
        return labels

    def col_level_names(self, depth):
        names = list(self.column_names) if self.column_names else [None]
        names = names[-depth:] if depth <= len(names) else [None] * (depth - len(names)) + names
        return names


def _margin(label, shape):
    """pandas names the margins `margins_name`; the control plane always says `All`."""
    if not shape.margins or shape.margins_name == "All":
        return list(label)
    return [shape.margins_name if v == "All" else v for v in label]


def _index(labels, names):
    if len(names) == 1:
        return pd.Index([l[0] for l in labels], name=names[0])
    return pd.MultiIndex.from_tuples([tuple(l) for l in labels], names=names)


def frame_of(answer, shape):
    """The checked table as a DataFrame, laid out as ACRO (pandas) lays it out."""
    table = answer["table"]
    rows = [_margin(r, shape) for r in table["rowLabels"]]
    cols = [_margin(shape.col_label(c), shape) for c in table["colLabels"]]
    depth = max((len(c) for c in cols), default=1)
    index = _index(rows, shape.index_names)
    columns = _index(cols, shape.col_level_names(depth)) if depth > 1 else pd.Index([c[0] for c in cols], name=shape.col_level_names(1)[0])
    values = [[float("nan") if v is None else v for v in row] for row in table["values"]]
    return pd.DataFrame(values, index=index, columns=columns).infer_objects()


def _positions(answer):
    key = lambda labels: json.dumps(labels)
    rows = {key(r): i for i, r in enumerate(answer["table"]["rowLabels"])}
    cols = {key(c): j for j, c in enumerate(answer["table"]["colLabels"])}
    return lambda ref: (rows.get(key(ref["row"])), cols.get(key(ref["col"])))


def sdc_of(answer):
    """ACRO's sdc block: per check the number of cells it names and their [row, column] positions."""
    sdc = {"summary": {}, "cells": {}}
    where = _positions(answer)
    for rule, found in answer["rules"].items():
        if not isinstance(found, list):
            continue
        name = ACRO_CHECKS.get(rule, rule)
        sdc["summary"][name] = len(found)
        cells = []
        for ref in found:
            if isinstance(ref, dict) and "row" in ref and "col" in ref:
                r, c = where(ref)
                if r is not None and c is not None:
                    cells.append([r, c])
        sdc["cells"][name] = cells
    return sdc


def outcome_of(answer, frame):
    """ACRO's outcome: the table's shape, each cell `ok` or the checks naming it (`NKCheck; `)."""
    marks = [["" for _ in row] for row in answer["table"]["values"]]
    sdc = sdc_of(answer)
    for name, cells in sdc["cells"].items():
        for r, c in cells:
            marks[r][c] += name + "; "
    outcome = pd.DataFrame([[m or "ok" for m in row] for row in marks], index=frame.index, columns=frame.columns)
    return json.loads(outcome.to_json())


def summary_of(answer, analysis):
    """ACRO's summary line: the analysis, then each check that named cells."""
    text = "%s : " % analysis
    for rule, found in answer["rules"].items():
        if isinstance(found, list) and found:
            verdict = "fail" if rule in FAIL_RULES else "review"
            text += "\n %s: %s - %d cells may need suppressing." % (ACRO_CHECKS.get(rule, rule), verdict, len(found))
    return text + "\n"


def suppressed(frame, answer):
    """ACRO's suppress=True, from the checked answer: cells a failing rule names are blanked, and so
    is every margin of their rows and columns (ACRO recomputes margins without their records, which
    the room cannot do without the data; blanking them never shows more)."""
    try:
        out = frame.astype("float64")
    except (TypeError, ValueError):  # mode of a text column: labels, not numbers
        out = frame.astype(object)
    where = _positions(answer)
    rows, cols = answer["table"]["rowLabels"], answer["table"]["colLabels"]
    margin_rows = {i for i, r in enumerate(rows) if r and r[0] == "All"}
    margin_cols = {j for j, c in enumerate(cols) if "All" in c}
    for rule in FAIL_RULES:
        for ref in answer["rules"].get(rule, []):
            r, c = where(ref)
            if r is None or c is None:
                continue
            out.iat[r, c] = float("nan")
            for m in margin_cols:
                out.iat[r, m] = float("nan")
            for m in margin_rows:
                out.iat[m, c] = float("nan")
    return out


def crosstab_spec(index, columns, values, rownames, colnames, aggfunc, margins, margins_name):
    """The staged columns, the spec and the shape of an ACRO/pandas crosstab call."""
    rows = [as_series(s, "row_%d" % i) for i, s in enumerate(index)]
    cols = [as_series(s, "col_%d" % i) for i, s in enumerate(columns)]
    if rownames:
        rows = [s.rename(str(rownames[i])) if i < len(rownames) else s for i, s in enumerate(rows)]
    if colnames:
        cols = [s.rename(str(colnames[i])) if i < len(colnames) else s for i, s in enumerate(cols)]
    series = rows + cols + ([as_series(values, "values")] if values is not None else [])
    series = unique_names(series)
    names = [s.name for s in series]
    frame = pd.concat(series, axis=1)
    spec = {
        "method": "crosstab",
        "index": names[: len(rows)],
        "columns": names[len(rows): len(rows) + len(cols)],
        "values": names[-1] if values is not None else None,
        "aggfunc": aggfunc,
        "margins": bool(margins),
    }
    shape = TableShape(spec["index"], spec["columns"], isinstance(aggfunc, list), margins_name=margins_name, margins=margins)
    return frame, spec, shape


def pivot_spec(data, values, index, columns, aggfunc, margins, margins_name):
    """The staged columns, the spec and the shape of an ACRO/pandas pivot_table call."""
    def names(axis):
        if axis is None:
            return []
        return [str(a) for a in (axis if isinstance(axis, (list, tuple)) else [axis])]

    rows, cols = names(index), names(columns)
    value_list = isinstance(values, (list, tuple))
    value = str(values[0]) if value_list else str(values)
    for name in rows + cols + [value]:
        if name not in data.columns:
            raise KeyError(name)
    frame = data[list(dict.fromkeys(rows + cols + [value]))]
    spec = {"method": "pivot_table", "index": rows, "columns": cols, "values": value, "aggfunc": aggfunc, "margins": bool(margins)}
    shape = TableShape(rows, cols, isinstance(aggfunc, list), values_level=value if value_list else None,
                       margins_name=margins_name, margins=margins)
    return frame, spec, shape
