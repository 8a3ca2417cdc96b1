#!/usr/bin/env python3
"""Analyserom airlock helper for project rooms (Python standard library only).

Asks the control plane to compute and check a table of the project's data copy (or of a
file in your /outputs) under the project's output-control policy, and saves the checked
table together with its check record to /outputs, ready to be requested for export.

The room has no network. The control plane is reached through:

  ANALYSEROM_API      where the control plane's API is: a URL (http://127.0.0.1:8080) or the
                      path of a unix socket (/run/analyserom/api.sock, or unix:///run/...).
                      The rooms module exposes the socket inside the room.
  ANALYSEROM_TOKEN    bearer token, when the socket does not vouch for you itself (optional).
  ANALYSEROM_PROJECT  the project id (or --project).
  ANALYSEROM_OUTPUTS  where checked tables are saved (default /outputs).

From Python:

    import analyserom_airlock as air
    spec = {"method": "crosstab", "index": ["sex"], "columns": ["birth_year"],
            "values": None, "aggfunc": None, "margins": True}
    record = air.check_table({"copy": "population.parquet"}, spec)      # the check record
    paths = air.save_checked_table("sex_by_year", {"copy": "population.parquet"}, spec)

From a shell:

    python3 analyserom_airlock.py check-table --copy population.parquet \
        --index sex --columns birth_year --margins --save sex_by_year

which writes /outputs/sex_by_year.csv (the table as checked: suppressed cells empty,
counts rounded as the policy says) and /outputs/sex_by_year.check.json (status, every
failing cell by rule, the spec, the source and the policy applied). Exit status: 0 pass,
1 error, 2 usage, 3 the table needs review, 4 the table fails a rule.
"""

import base64
import csv
import http.client
import json
import os
import socket
import sys
import urllib.parse

__all__ = ["ACRO", "AirlockError", "CHECK_KINDS", "check", "check_table", "notebook", "save_checked", "save_checked_table", "write_table_csv"]

#: The airlock's checks (control-plane/src/airlock/check-kinds.ts). The room's channel admits those
#: of control-plane/src/rooms/channel.ts CHANNEL_CHECKS; `pie` is not among them yet.
CHECK_KINDS = ("table", "regression", "survival", "histogram", "pie")


def __getattr__(name):
    # `from analyserom_airlock import ACRO`: ACRO's call shapes (analyserom_acro, which needs
    # pandas) load only when asked for, so the check-table command stays standard library only.
    if name == "ACRO":
        from analyserom_acro import ACRO

        return ACRO
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


class AirlockError(Exception):
    """The control plane refused or could not be reached; `problem` holds its answer."""

    def __init__(self, message, status=None, problem=None):
        super().__init__(message)
        self.status = status
        self.problem = problem or {}


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=300):
        super().__init__("localhost", timeout=timeout)
        self._socket_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._socket_path)
        self.sock = sock


def _connection(api):
    """An HTTP connection and a path prefix for ANALYSEROM_API."""
    if api.startswith("unix://"):
        return _UnixConnection(api[len("unix://"):]), ""
    if api.startswith("/"):
        return _UnixConnection(api), ""
    url = urllib.parse.urlsplit(api)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise AirlockError("ANALYSEROM_API must be an http(s) URL or a unix socket path, not %r" % api)
    cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    return cls(url.hostname, url.port, timeout=300), url.path.rstrip("/")


def _request(method, path, body=None, api=None, token=None):
    api = api or os.environ.get("ANALYSEROM_API")
    if not api:
        raise AirlockError("ANALYSEROM_API is not set: the room does not know where the control plane is")
    token = token if token is not None else os.environ.get("ANALYSEROM_TOKEN")
    conn, prefix = _connection(api)
    headers = {"accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["content-type"] = "application/json"
    if token:
        headers["authorization"] = "Bearer " + token
    try:
        conn.request(method, prefix + path, body=data, headers=headers)
        res = conn.getresponse()
        raw = res.read()
    except OSError as err:
        raise AirlockError("cannot reach the control plane at %s: %s" % (api, err))
    finally:
        conn.close()
    try:
        payload = json.loads(raw.decode("utf-8")) if raw else None
    except ValueError:
        payload = {"detail": raw.decode("utf-8", "replace")}
    if res.status >= 400:
        problem = payload if isinstance(payload, dict) else {}
        raise AirlockError("%s %s" % (res.status, problem.get("detail") or problem.get("title") or res.reason), res.status, problem)
    return payload


def _project(project):
    project = project or os.environ.get("ANALYSEROM_PROJECT")
    if not project:
        raise AirlockError("no project: set ANALYSEROM_PROJECT or pass project=")
    return project


def check(kind, source, spec, project=None, api=None, token=None):
    """Asks the control plane for one check (`kind` of CHECK_KINDS) and returns its answer (a dict).

    The answer is the control plane's report (see the airlock's check routes) plus `source`,
    `spec`, `checkedAt`, `checkedFor` and `policy`.
    """
    if kind not in CHECK_KINDS:
        raise AirlockError("unknown check kind %r; known: %s" % (kind, ", ".join(CHECK_KINDS)))
    path = "/api/projects/%s/outputs/check-%s" % (urllib.parse.quote(_project(project), safe=""), kind)
    return _request("POST", path, {"source": source, "spec": spec}, api=api, token=token)


def check_table(source, spec, project=None, api=None, token=None):
    """Checks a table under the project's policy and returns the check record (a dict).

    source: {"copy": "<file of the data copy>"} or {"output": "<path under /outputs>"}.
    spec: {"method": "crosstab"|"pivot_table", "index": [...], "columns": [...],
           "values": column|None, "aggfunc": None|name|[names], "margins": bool}.
    """
    return check("table", source, spec, project=project, api=api, token=token)


def _cell(value):
    return "" if value is None else value


def write_table_csv(record, path, spec):
    """Writes the checked table: one header row per column level, row labels first."""
    table = record["table"]
    index = list(spec.get("index") or [])
    col_labels = table["colLabels"]
    levels = max((len(c) for c in col_labels), default=1)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        for level in range(levels):
            first = index if level == levels - 1 else [""] * len(index)
            out.writerow(first + [_cell(c[level]) if level < len(c) else "" for c in col_labels])
        for labels, values in zip(table["rowLabels"], table["values"]):
            out.writerow([_cell(v) for v in labels] + [_cell(v) for v in values])


def save_checked_table(name, source, spec, project=None, outputs=None, api=None, token=None):
    """Checks a table and saves `<name>.csv` and `<name>.check.json` to /outputs; returns both paths and the record."""
    if not name or "/" in name or name.startswith(".") or "\x00" in name:
        raise AirlockError("name must be a plain file name without a folder: %r" % name)
    _refuse_overwrite(name, source)
    record = check_table(source, spec, project=project, api=api, token=token)
    outputs = outputs or os.environ.get("ANALYSEROM_OUTPUTS", "/outputs")
    csv_path = os.path.join(outputs, name + ".csv")
    record_path = os.path.join(outputs, name + ".check.json")
    write_table_csv(record, csv_path, spec)
    with open(record_path, "w", encoding="utf-8") as fh:
        json.dump(dict(record, table_file=name + ".csv", notebook=notebook()), fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    return {"table": csv_path, "record": record_path, "status": record["status"], "check": record}


def notebook():
    """The notebook running this code, where the kernel says so: Jupyter's JPY_SESSION_NAME, or
    ipykernel's `__session__`; else the script's path (not the helper's own command); None when
    none is known. Saved with each
    record for the reviewers (which notebook made this output)."""
    name = os.environ.get("JPY_SESSION_NAME")
    if name:
        return name
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    if shell is not None:
        session = shell.user_ns.get("__session__")
        if isinstance(session, str) and session:
            return session
    script = getattr(sys.modules.get("__main__"), "__file__", None)
    if not isinstance(script, str) or os.path.dirname(os.path.abspath(script)) == os.path.dirname(os.path.abspath(__file__)):
        return None  # the helper's own command: no notebook known
    return os.path.abspath(script)


def _refuse_overwrite(name, source):
    """Saving `name` must not replace the /outputs file the check reads (`--output x.csv --save x`)."""
    written = {name + ext for ext in (".csv", ".png", ".svg", ".check.json")}
    rel = source.get("output") or ""
    rel = rel[len("/outputs/"):] if rel.startswith("/outputs/") else rel
    if os.path.normpath(rel) in written:
        raise AirlockError("saving %s would overwrite its own source %s: choose another name" % (name, source["output"]))


def save_checked(kind, name, source, spec, project=None, outputs=None, api=None, token=None):
    """Checks a regression, survival curve, histogram or pie chart and saves it to /outputs: `<name>.check.json`
    (the answer), and what it released: a regression's coefficients or the survival table as
    `<name>.csv`, a histogram's figure as the control plane drew it (`<name>.png`, `<name>.svg`), a pie chart's likewise."""
    if not name or "/" in name or name.startswith(".") or "\x00" in name:
        raise AirlockError("name must be a plain file name without a folder: %r" % name)
    _refuse_overwrite(name, source)
    record = check(kind, source, spec, project=project, api=api, token=token)
    outputs = outputs or os.environ.get("ANALYSEROM_OUTPUTS", "/outputs")
    files = []
    if kind == "regression" and "params" in record:
        files.append(name + ".csv")
        stat = "t" if all("t" in p for p in record["params"].values()) else "z"
        with open(os.path.join(outputs, files[-1]), "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(["", "coef", "std err", stat, "P>|%s|" % stat])
            for param, v in record["params"].items():
                out.writerow([param] + [_cell(v.get(k)) for k in ("coef", "se", stat, "p")])
    elif kind == "survival" and record.get("table"):
        files.append(name + ".csv")
        keys = ["group"] if any("group" in step for step in record["table"]) else []
        keys += ["time", "atRisk", "events", "censored", "survival", "lower", "upper"]
        with open(os.path.join(outputs, files[-1]), "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(keys)
            for step in record["table"]:
                out.writerow([_cell(step.get(k)) for k in keys])
    elif kind in ("histogram", "pie") and record.get("plot"):
        files += [name + ".png", name + ".svg"]
        with open(os.path.join(outputs, files[0]), "wb") as fh:
            fh.write(base64.b64decode(record["plot"]["pngBase64"]))
        with open(os.path.join(outputs, files[1]), "w", encoding="utf-8") as fh:
            fh.write(record["plot"]["svg"])
    record_path = os.path.join(outputs, name + ".check.json")
    with open(record_path, "w", encoding="utf-8") as fh:
        json.dump(dict(record, files=files, notebook=notebook()), fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    return {"status": record["status"], "record": record_path, "files": [os.path.join(outputs, f) for f in files], "check": record}


if __name__ == "__main__":
    from analyserom_airlock_cli import main

    sys.exit(main())
