"""ACRO's model and plot calls (acro_regression.py, acro_tables.py surv_func/hist), each checked
by the control plane (`check-regression`, `check-survival`, `check-histogram`; report shapes in
control-plane/src/airlock/check-kinds.ts) and returned from its answer.

A regression returns a `CheckedModel`, not a statsmodels results object: its coefficients,
standard errors, statistics and p-values are the control plane's (statsmodels' names: `params`,
`bse`, `tvalues`, `pvalues`, `nobs`, `df_resid`, `summary()`), since the room's own fit is
exactly what the airlock does not trust. Formulas (`olsr`, `logitr`, `probitr`) take the terms
the control plane fits: `y ~ x1 + C(x2) + x3`, with `- 1` or `+ 0` for no constant.
"""

import base64
import os
import re

import pandas as pd

from . import frames
from .tables import ACRO_CHECKS

_TERM = re.compile(r"^(?:C\((?P<cat>[A-Za-z_][\w.]*)\)|(?P<name>[A-Za-z_][\w.]*))$")


def parse_formula(formula):
    """`y ~ a + C(b) - 1` as (dependent, independent, categorical, constant)."""
    if formula.count("~") != 1:
        raise ValueError("a formula is 'y ~ x1 + x2': %r" % formula)
    lhs, rhs = (p.strip() for p in formula.split("~"))
    if not _TERM.match(lhs) or _TERM.match(lhs).group("cat"):
        raise ValueError("the dependent variable must be a column name: %r" % lhs)
    constant, independent, categorical = True, [], []
    for sign, term in re.findall(r"([+-]?)\s*([^+-]+)", rhs):
        term = term.strip()
        if term in ("0", "1"):
            constant = term == "1" and sign != "-"
            continue
        match = _TERM.match(term)
        if not match or sign == "-":
            raise ValueError("formula term %r is not offered: only columns, C(column), - 1 and + 0" % (sign + term))
        name = match.group("cat") or match.group("name")
        independent.append(name)
        if match.group("cat"):
            categorical.append(name)
    return lhs, independent, categorical, constant


class CheckedModel:
    """A fitted model as the control plane reported it, with statsmodels' attribute names."""

    def __init__(self, report, constant_name="const"):
        self.report = report
        # The control plane names the constant `const` (add_constant's name, as ACRO's ols);
        # statsmodels' formula API, which ACRO's olsr/logitr/probitr use, calls it `Intercept`.
        params = {(constant_name if k == "const" else k): v for k, v in report["params"].items()}
        stat = "t" if all("t" in p for p in params.values()) else "z"
        self.method = report.get("method")
        self.nobs = report["nobs"]
        self.df_resid = report["dof"]
        self.params = pd.Series({k: v["coef"] for k, v in params.items()}, dtype="float64")
        self.bse = pd.Series({k: v["se"] for k, v in params.items()}, dtype="float64")
        self.tvalues = pd.Series({k: v[stat] for k, v in params.items()}, dtype="float64")
        self.pvalues = pd.Series({k: v["p"] for k, v in params.items()}, dtype="float64")
        self.stat = stat

    def table(self):
        p = "P>|%s|" % self.stat
        return pd.DataFrame({"coef": self.params, "std err": self.bse, self.stat: self.tvalues, p: self.pvalues})

    def summary(self):
        return _Summary("%s  nobs=%s  df_resid=%s\n%s" % (self.method, self.nobs, self.df_resid, self.table().to_string()))


class _Summary(str):
    def as_text(self):
        return str(self)


class Models:
    """The model and plot calls of the ACRO session (mixed into ACRO)."""

    # -- regressions ----------------------------------------------------------------------

    def _model(self, method, frame, dependent, independent, categorical, constant, command, constant_name="const"):
        spec = {"method": method, "dependent": dependent, "independent": independent, "categorical": categorical, "constant": constant}
        answer = self._check("regression", frames.stage(frame), spec)
        model = CheckedModel(answer, constant_name)
        dof = answer.get("rules", {}).get("dof", {})
        self._dof_threshold = dof.get("threshold")
        self.results.add(
            status=answer["status"], output_type="regression", properties={"method": method, "dof": answer["dof"]},
            sdc={"summary": {"MinimumDoFCheck": 0 if dof.get("passed", True) else 1}, "cells": {"MinimumDoFCheck": []}},
            command=command, summary="%s : \n MinimumDoFCheck: %s" % (method, answer.get("summary", answer["status"])),
            outcome={}, output=[model.table()],
            fair={"dependent": dependent, "independent": independent, "check_status": {"MinimumDoFCheck": "pass" if dof.get("passed", True) else "fail"}},
            analyserom=dict(self._provenance(answer), check="check-regression"),
        )
        return model

    def _arrays(self, method, endog, exog, command):
        y = frames.as_series(endog, "y")
        x = exog if isinstance(exog, pd.DataFrame) else pd.DataFrame(exog)
        if not isinstance(exog, (pd.DataFrame, pd.Series)):
            x.columns = ["x%d" % (i + 1) for i in range(x.shape[1])]
        elif isinstance(exog, pd.Series):
            x = exog.to_frame(exog.name if exog.name is not None else "x1")
        x.columns = [str(c) for c in x.columns]
        const = [c for c in x.columns if c in ("const", "Intercept") or bool((x[c] == 1).all())]
        independent = [c for c in x.columns if c not in const]
        frame = pd.concat([y] + [x[c] for c in independent], axis=1)
        return self._model(method, frame, y.name, independent, [], bool(const), command)

    def _formula(self, method, formula, data, command):
        dependent, independent, categorical, constant = parse_formula(formula)
        for name in [dependent] + independent:
            if name not in data.columns:
                raise KeyError(name)
        # patsy (and R) treat text and boolean columns as categorical without C().
        categorical += [c for c in independent if c not in categorical
                        and (pd.api.types.is_bool_dtype(data[c]) or not pd.api.types.is_numeric_dtype(data[c]))]
        frame = data[list(dict.fromkeys([dependent] + independent))]
        return self._model(method, frame, dependent, independent, categorical, constant, command, "Intercept")

    def ols(self, endog, exog=None, missing="none", hasconst=None, **kwargs):
        return self._arrays("ols", endog, exog, frames.calling_command("ols()"))

    def olsr(self, formula, data, subset=None, drop_cols=None, *args, **kwargs):
        return self._formula("ols", formula, data, frames.calling_command("olsr()"))

    def logit(self, endog, exog, missing=None, check_rank=True):
        return self._arrays("logit", endog, exog, frames.calling_command("logit()"))

    def logitr(self, formula, data, subset=None, drop_cols=None, *args, **kwargs):
        return self._formula("logit", formula, data, frames.calling_command("logitr()"))

    def probit(self, endog, exog, missing=None, check_rank=True):
        return self._arrays("probit", endog, exog, frames.calling_command("probit()"))

    def probitr(self, formula, data, subset=None, drop_cols=None, *args, **kwargs):
        return self._formula("probit", formula, data, frames.calling_command("probitr()"))

    # -- survival and histograms -----------------------------------------------------------

    def _rules_sdc(self, answer):
        sdc = {"summary": {}, "cells": {}}
        for rule, found in (answer.get("rules") or {}).items():
            name = ACRO_CHECKS.get(rule, rule)
            sdc["summary"][name] = len(found) if isinstance(found, list) else int(not found.get("passed", True)) if isinstance(found, dict) else 0
            sdc["cells"][name] = []
        return sdc

    def surv_func(self, time, status, output, entry=None, title=None, freq_weights=None, exog=None, bw_factor=1.0,
                  filename="kaplan-meier.png"):
        """Kaplan-Meier: output='table' returns the checked table; 'plot' draws it (matplotlib) from that table."""
        command = frames.calling_command("surv_func()")
        if entry is not None or freq_weights is not None or exog is not None:
            raise ValueError("entry, freq_weights and exog are not offered: the control plane fits the plain Kaplan-Meier estimate")
        t, e = frames.as_series(time, "time"), frames.as_series(status, "status")
        t, e = frames.unique_names([t, e])
        answer = self._check("survival", frames.stage(pd.concat([t, e], axis=1)), {"duration": t.name, "event": e.name, "group": None})
        table = pd.DataFrame(answer["table"]).rename(columns={
            "time": "Time", "survival": "Surv prob", "atRisk": "num at risk", "events": "num events", "censored": "num censored"}).set_index("Time")
        outputs, kind = [table], "table"
        if output == "plot":
            import matplotlib.pyplot as plt

            ax = table["Surv prob"].plot(drawstyle="steps-post", ylim=(0, 1), title=title)
            path = _artefact(filename)
            plt.savefig(path)
            outputs, kind = [path], "survival plot"
        self.results.add(status=answer["status"], output_type=kind, properties={"method": "surv_func", "pooled": answer.get("pooled")},
                         sdc=self._rules_sdc(answer), command=command, summary="KaplanMeier : %s" % answer["status"], outcome={},
                         output=outputs, analyserom=dict(self._provenance(answer), check="check-survival"))
        return table if output == "table" else (ax, path)

    def hist(self, data, column, by_val=None, grid=True, xlabelsize=None, xrot=None, ylabelsize=None, yrot=None, axis=None,
             sharex=False, sharey=False, figsize=None, layout=None, bins=10, backend=None, legend=False, filename="histogram.png", **kwargs):
        """A histogram of one column: the figure is the control plane's, rendered from the checked counts, or none."""
        command = frames.calling_command("hist()")
        if isinstance(column, list):
            raise ValueError("Calculating histogram for more than one columns is not currently supported.")
        cols = [column] + ([by_val] if isinstance(by_val, str) else [])
        bins = bins if isinstance(bins, int) else [float(b) for b in bins]
        spec = {"column": column, "bins": bins, "group": by_val if isinstance(by_val, str) else None}
        answer = self._check("histogram", frames.stage(data[cols]), spec)
        return self._figure(answer, "histogram", "histogram", filename, command, "check-histogram", "Histogram")

    def pie(self, data, column, filename="pie.png", **kwargs):
        """A pie chart of one categorical column: the control plane's figure of the checked counts, or none."""
        command = frames.calling_command("pie()")
        answer = self._check("pie", frames.stage(data[[column]]), {"column": column})
        return self._figure(answer, "pie chart", "pie", filename, command, "check-pie", "PieChart")

    def _figure(self, answer, output_type, method, filename, command, check, analysis):
        png = (answer.get("plot") or {}).get("pngBase64")
        path = ""
        if png:
            path = _artefact(filename)
            with open(path, "wb") as fh:
                fh.write(base64.b64decode(png))
        # No figure (it did not pass): the checked counts stand in as the output's file, since
        # SACRO-Viewer opens only outputs with a file; in the room they are the room's own data.
        counts = pd.DataFrame(answer.get("bins") or answer.get("slices") or [])
        self.results.add(status=answer["status"], output_type=output_type, properties={"method": method},
                         sdc=self._rules_sdc(answer), command=command, summary="%s : %s" % (analysis, answer["status"]), outcome={},
                         output=[path] if path else [counts], analyserom=dict(self._provenance(answer), check=check))
        return path


def _artefact(filename):
    """A new file name under /outputs/.acro/artifacts (ACRO: acro_artifacts/, numbered, never overwritten)."""
    folder = os.path.join(frames.outputs_dir(), frames.STAGING, "artifacts")
    os.makedirs(folder, exist_ok=True)
    stem, ext = os.path.splitext(os.path.basename(filename))
    for i in range(10000):
        path = os.path.join(folder, "%s_%d%s" % (stem, i, ext))
        if not os.path.exists(path):
            return path
    raise ValueError("too many files named %s" % filename)
