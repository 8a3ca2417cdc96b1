"""`ACRO`: ACRO 1.0.1's session object (acro/acro.py), every check made by the control plane.

An unmodified ACRO script runs in a room:

    from acro import ACRO            # or: from analyserom_airlock import ACRO
    acro = ACRO(suppress=False)
    table = acro.crosstab(df.year, df.grant_type)
    acro.add_comments("output_0", "grants by year")
    acro.finalise("RESULTS", "json")  # /outputs/RESULTS/results.json and the outputs

Each call stages the columns it uses (see frames.py), asks the control plane over the room's
channel for the check, records the answer and returns what ACRO returns, laid out from the answer.
What differs from ACRO 1.0.1, and why:
- `config=` names no YAML file: the rules are the project's policy, which the control plane holds
  (the room cannot choose them); `config.json` in the results records those applied.
- `finalise(path)`: a relative path is under /outputs (ANALYSEROM_OUTPUTS), the folder the
  airlock exports from; like ACRO it refuses a folder that exists. Only `ext="json"`.
- `suppress=True` blanks the cells a failing rule names and the margins of their rows and
  columns (ACRO reruns the table without their records, which needs the data); status `review`
  with ACRO's exception text, as ACRO.
- `crosstab(normalize=...)`, callables as `aggfunc`, and `federated=True` are refused: the
  control plane checks counts and the statistics it knows.
"""

import logging
import os

from analyserom_airlock import AirlockError, check

from . import frames, tables
from .models import Models
from .records import Records

logger = logging.getLogger("acro")


class ACRO(Models):
    """ACRO's session: outputs are checked by the control plane and kept until `finalise`."""

    def __init__(self, config="default", suppress=False, mitigation=None, round_base=None, federated=None):
        if federated:
            raise ValueError("federated mode is not offered: the control plane checks every output")
        if mitigation == "round":
            raise ValueError("mitigation='round' is not offered here: rounding, where the policy wants it, is the control plane's")
        self.config_name = config
        self.suppress = bool(suppress) or mitigation == "suppress"
        self.results = Records()
        self._policy = None

    # ---- checks -------------------------------------------------------------------------

    def _check(self, kind, source, spec):
        answer = check(kind, source, spec)
        withheld = answer.get("withheld")
        if withheld:
            # Outside a room (a token) a check that did not pass says only its verdict: nothing to return or record.
            raise ValueError("the control plane withheld the %s (%s): checks answer in full only inside the room"
                             % ("table" if kind == "table" else kind, withheld.get("reason")))
        policy = answer.get("policy") or {}
        if policy.get("tables") or self._policy is None:
            # config.json names the rules of the last answer that carried them (table answers do).
            self._policy = policy
        return answer

    def _provenance(self, answer):
        return {
            "source": answer.get("source"),
            "spec": answer.get("spec"),
            "checkedAt": answer.get("checkedAt"),
            "checkedFor": answer.get("checkedFor"),
            "policy": {k: v for k, v in (answer.get("policy") or {}).items() if k in ("profile", "sources")},
            "notebook": frames.notebook(),
        }

    def _table(self, method, frame, spec, shape, command, analysis):
        answer = self._check("table", frames.stage(frame), spec)
        table = tables.frame_of(answer, shape)
        status = answer["status"]
        if self.suppress:
            table = tables.suppressed(table, answer)
        record = self.results.add(
            status=status,
            output_type="table",
            properties={"method": method, "mitigation": "suppress" if self.suppress else "none"},
            sdc=tables.sdc_of(answer),
            command=command,
            summary=tables.summary_of(answer, analysis),
            outcome=tables.outcome_of(answer, table),
            output=[table],
            fair={"check_status": {tables.ACRO_CHECKS.get(r, r): ("fail" if f and r in tables.FAIL_RULES else "review" if f else "pass")
                                   for r, f in answer["rules"].items()},
                  "independent": spec["index"] + spec["columns"], "dependent": spec["values"] or "unknown"},
            analyserom=dict(self._provenance(answer), check="check-table"),
        )
        if self.suppress:
            record.exception = "Suppression automatically applied where needed"
            record.status = "review"
        return table

    def crosstab(self, index, columns, values=None, rownames=None, colnames=None, aggfunc=None, margins=False,
                 margins_name="All", dropna=True, normalize=False, show_suppressed=False):
        """pandas.crosstab, checked: a frequency table, or `aggfunc` of `values` per cell."""
        command = frames.calling_command("crosstab()")
        if aggfunc is not None and (values is None or isinstance(values, list)):
            raise ValueError("If you pass an aggregation function to crosstab you must also specify a single values column to aggregate over.")
        if normalize:
            raise ValueError("normalize is not offered: the control plane checks and returns counts")
        if callable(aggfunc) or (isinstance(aggfunc, list) and any(callable(a) for a in aggfunc)):
            raise ValueError("aggfunc must be a name (count, mean, sum, median, std, min, max, mode)")
        frame, spec, shape = tables.crosstab_spec(frames.axis_list(index), frames.axis_list(columns), values,
                                                  rownames, colnames, aggfunc, margins, margins_name)
        analysis = "FrequencyTable" if aggfunc is None else str(aggfunc)
        return self._table("crosstab", frame, spec, shape, command, analysis)

    def pivot_table(self, data, values=None, index=None, columns=None, aggfunc="mean", fill_value=None, margins=False,
                    dropna=True, margins_name="All", observed=False, sort=True, **kwargs):
        """pandas.pivot_table of one values column, checked."""
        command = frames.calling_command("pivot_table()")
        if values is None:
            raise ValueError("You must  specify at least one values column to report statistics about.")
        if isinstance(values, list) and len(values) > 1:
            raise ValueError("Specifying multiple values columns is not currently supported.")
        if callable(aggfunc) or (isinstance(aggfunc, list) and any(callable(a) for a in aggfunc)):
            raise ValueError("aggfunc must be a name (count, mean, sum, median, std, min, max, mode)")
        frame, spec, shape = tables.pivot_spec(data, values, index, columns, aggfunc, margins, margins_name)
        table = self._table("pivot_table", frame, spec, shape, command, str(aggfunc))
        return table.fillna(fill_value) if fill_value is not None else table

    # ---- the session's outputs (ACRO's names) -------------------------------------------

    def enable_suppression(self):
        self.suppress = True

    def disable_suppression(self):
        self.suppress = False

    def add_comments(self, output, comment):
        self.results.add_comments(output, comment)

    def add_exception(self, output, reason):
        self.results.add_exception(output, reason)

    def rename_output(self, old, new):
        self.results.rename(old, new)

    def remove_output(self, key):
        self.results.remove(key)

    def print_outputs(self):
        return self.results.print()

    def custom_output(self, filename, comment=""):
        """A file the airlock cannot check (a figure, a model file): recorded for review."""
        if not os.path.isfile(filename):
            logger.info("WARNING: Unable to add %s because the file does not exist", filename)
            return True
        self.results.add(
            status="review", output_type="custom", properties={}, sdc={}, command="custom", summary="review",
            outcome={}, output=[os.path.normpath(filename)], comments=[comment] if comment else None,
            analyserom={"notebook": frames.notebook()},
        )
        return True

    def finalise(self, path="outputs", ext="json", interactive=False):
        """Writes the outputs, results.json, config.json and checksums to `path` under /outputs."""
        if ext != "json":
            raise ValueError("Invalid file extension. Options: {json}")
        folder = path if os.path.isabs(path) else os.path.join(frames.outputs_dir(), path)
        if os.path.exists(folder):
            logger.warning("Results file can not be created. Directory %s already exists. Please choose a different directory name.", folder)
            return None
        if interactive:
            for record in self.results.results.values():
                if record.status != "pass" and record.exception == "":
                    print("%s\nThe status of the record above is: %s.\nPlease explain why an exception should be granted.\n" % (record, record.status))
                    record.exception = input("")
        self.results.finalise_json(folder, self._config())
        logger.info("outputs written to: %s", folder)
        return self.results

    def _config(self):
        """The rules applied, under ACRO's config keys where ACRO has one (acro/default.yaml)."""
        policy = self._policy or {}
        rules = policy.get("tables") or {}
        config = {"analyserom": {"profile": policy.get("profile"), "sources": policy.get("sources"), "tables": rules}}
        if rules:
            config.update({
                "safe_threshold": rules.get("threshold"),
                "safe_dof_threshold": rules.get("dof"),
                "safe_nk_n": (rules.get("nk") or {}).get("n"),
                "safe_nk_k": (rules.get("nk") or {}).get("k"),
                "safe_pratio_p": rules.get("pRatio"),
                "zeros_are_disclosive": rules.get("zerosDisclosive"),
                "survival_safe_threshold": (rules.get("survival") or {}).get("threshold"),
            })
        # Model answers carry no table rules; the dof threshold a regression was judged by is in its report.
        if config.get("safe_dof_threshold") is None and getattr(self, "_dof_threshold", None) is not None:
            config["safe_dof_threshold"] = self._dof_threshold
        config["suppress"] = self.suppress
        return config


def add_to_acro(src_path, dest_path="sdc_results"):
    """ACRO's add_to_acro: every file of a folder as a custom output, each named by its file, finalised."""
    acro = ACRO()
    for i, name in enumerate(sorted(os.listdir(src_path))):
        acro.custom_output(os.path.join(src_path, name))
        acro.rename_output("output_%d" % i, name)
    acro.finalise(dest_path, "json")


__all__ = ["ACRO", "AirlockError", "add_to_acro"]
