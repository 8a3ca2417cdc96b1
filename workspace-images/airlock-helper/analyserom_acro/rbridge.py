"""The R wrapper's way in (acro-r/R/acro.R): one ACRO call per process, the session kept between.

    python3 -m analyserom_acro.rbridge STATE REQUEST

STATE is a file in the R session's own tempdir() holding the pickled ACRO session (the R
process's own file, read back only by the same user's next call); REQUEST is a JSON file:

    {"call": "crosstab"|"pivot_table"|"lm"|"glm"|"surv_func"|"hist"|"init"|"finalise"|
             "add_comments"|"add_exception"|"rename_output"|"remove_output"|"custom_output"|
             "print_outputs"|"suppression",
     "data": "<CSV the wrapper wrote of the columns used>", "args": {...}, "command": "<the R call>"}

It prints one JSON object: {"ok": true, ...the call's result} or {"ok": false, "error": "..."}.
Tables come back as pandas' `to_json(orient="split")` of the DataFrame ACRO returns.
"""

import json
import os
import pickle
import sys

import pandas as pd

from . import frames
from .session import ACRO

_R_TERMS = (("factor(", "C("), ("as.factor(", "C("))


def r_formula(text):
    """An R formula's text as the helper's formula (factor(x) is patsy's C(x))."""
    for r, py in _R_TERMS:
        text = text.replace(r, py)
    return text


def _load(state):
    if os.path.exists(state):
        with open(state, "rb") as fh:
            return pickle.load(fh)
    return ACRO()


def _table(df):
    return json.loads(df.to_json(orient="split", double_precision=15))


def _call(acro, req):
    args = req.get("args") or {}
    call = req["call"]
    data = pd.read_csv(req["data"]) if req.get("data") else None
    if call == "init":
        acro = ACRO(suppress=bool(args.get("suppress")))
        return acro, {}
    if call == "suppression":
        acro.suppress = bool(args["on"])
        return acro, {}
    if call == "crosstab":
        index = [data[c] for c in args["index"]]
        columns = [data[c] for c in args["columns"]]
        values = data[args["values"]] if args.get("values") else None
        table = acro.crosstab(index, columns, values=values, aggfunc=args.get("aggfunc"), margins=bool(args.get("margins")),
                              margins_name=args.get("margins_name", "All"))
        return acro, {"table": _table(table), "status": _last(acro).status}
    if call == "pivot_table":
        table = acro.pivot_table(data, values=args["values"], index=args["index"], columns=args.get("columns") or None,
                                 aggfunc=args.get("aggfunc", "mean"))
        return acro, {"table": _table(table), "status": _last(acro).status}
    if call in ("lm", "glm"):
        method = "ols" if call == "lm" else args.get("family")
        if method not in ("ols", "logit", "probit"):
            raise ValueError("Invalid family. Options for family are: logit or probit")
        fit = {"ols": acro.olsr, "logit": acro.logitr, "probit": acro.probitr}[method]
        model = fit(r_formula(args["formula"]), data)
        return acro, {"table": _table(model.table()), "nobs": model.nobs, "dof": model.df_resid, "status": _last(acro).status}
    if call == "surv_func":
        result = acro.surv_func(data[args["time"]], data[args["status"]], args["output"], filename=args.get("filename", "kaplan-meier.png"))
        table = result if args["output"] == "table" else None
        return acro, {"table": _table(table) if table is not None else None, "file": None if table is not None else result[1],
                      "status": _last(acro).status}
    if call == "hist":
        path = acro.hist(data, args["column"], bins=args["bins"], filename=args.get("filename", "histogram.png"))
        return acro, {"file": path, "status": _last(acro).status}
    if call == "finalise":
        done = acro.finalise(args["path"], args.get("ext", "json"))
        return acro, {"written": done is not None}
    if call == "print_outputs":
        return acro, {"text": acro.print_outputs()}
    if call == "custom_output":
        return acro, {"added": acro.custom_output(args["filename"], args.get("comment") or "")}
    method = {"add_comments": acro.add_comments, "add_exception": acro.add_exception,
              "rename_output": acro.rename_output, "remove_output": acro.remove_output}.get(call)
    if method is None:
        raise ValueError("unknown call %r" % call)
    method(*args["args"])
    return acro, {}


def _last(acro):
    return list(acro.results.results.values())[-1]


def main(argv):
    state, request = argv
    with open(request, encoding="utf-8") as fh:
        req = json.load(fh)
    command = req.get("command")
    if command:
        frames.calling_command = lambda default: command
    try:
        acro, result = _call(_load(state), req)
    except Exception as err:  # every failure goes back to R as its message
        print(json.dumps({"ok": False, "error": "%s: %s" % (type(err).__name__, err)}))
        return 1
    tmp = state + ".tmp"
    with open(tmp, "wb") as fh:
        pickle.dump(acro, fh)
    os.replace(tmp, state)
    print(json.dumps(dict(result, ok=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
