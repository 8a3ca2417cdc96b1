"""The `analyserom-airlock` command (`python3 -m analyserom_airlock`): see analyserom_airlock.

    analyserom-airlock check-table --copy population.parquet --index sex --columns birth_year --save t
    analyserom-airlock check-regression --output x.csv --spec '{"method": "ols", ...}' --save model

Exit status: 0 pass, 1 error, 2 usage, 3 the output needs review, 4 it fails a rule.
"""

import argparse
import json
import sys

from analyserom_airlock import CHECK_KINDS, AirlockError, check, check_table, save_checked, save_checked_table


def _split(text):
    return [p for p in (text or "").split(",") if p]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="analyserom_airlock", description="Check a table under the project's output policy.")
    sub = parser.add_subparsers(dest="command", required=True)
    ct = sub.add_parser("check-table", help="compute and check a table; with --save, write it and its record to /outputs")
    src = ct.add_mutually_exclusive_group(required=True)
    src.add_argument("--copy", help="a file of the project's data copy, e.g. population.parquet")
    src.add_argument("--output", help="a file under /outputs holding the records")
    ct.add_argument("--spec", help="a JSON file with the whole table spec (instead of the options below)")
    ct.add_argument("--method", default="crosstab", choices=["crosstab", "pivot_table"])
    ct.add_argument("--index", help="row variables, comma separated")
    ct.add_argument("--columns", default="", help="column variables, comma separated")
    ct.add_argument("--values", default=None, help="the values column")
    ct.add_argument("--aggfunc", default=None, help="count, mean, sum, median, std, min, max, mode; several comma separated")
    ct.add_argument("--margins", action="store_true")
    ct.add_argument("--project", default=None)
    ct.add_argument("--save", metavar="NAME", help="save NAME.csv and NAME.check.json to /outputs")
    for kind in CHECK_KINDS[1:]:
        kp = sub.add_parser("check-" + kind, help="compute and check a %s; with --save, write it and its record to /outputs" % kind)
        ksrc = kp.add_mutually_exclusive_group(required=True)
        ksrc.add_argument("--copy", help="a file of the project's data copy")
        ksrc.add_argument("--output", help="a file under /outputs holding the records")
        kp.add_argument("--spec", required=True, help="the spec: JSON text, or a JSON file")
        kp.add_argument("--project", default=None)
        kp.add_argument("--save", metavar="NAME", help="save NAME.check.json (and the released table or figure) to /outputs")
    args = parser.parse_args(argv)
    if args.command != "check-table":
        return _main_kind(args.command[len("check-"):], args)

    if args.spec:
        with open(args.spec, encoding="utf-8") as fh:
            spec = json.load(fh)
    else:
        if not args.index:
            parser.error("--index (or --spec) is required")
        aggs = _split(args.aggfunc)
        spec = {
            "method": args.method, "index": _split(args.index), "columns": _split(args.columns), "values": args.values,
            "aggfunc": None if not aggs else aggs[0] if len(aggs) == 1 else aggs, "margins": args.margins,
        }
    source = {"copy": args.copy} if args.copy else {"output": args.output}
    try:
        if args.save:
            saved = save_checked_table(args.save, source, spec, project=args.project)
            record = saved["check"]
            print(json.dumps({"status": saved["status"], "table": saved["table"], "record": saved["record"], "rules": record["rules"]}))
        else:
            record = check_table(source, spec, project=args.project)
            print(json.dumps(record))
    except AirlockError as err:
        print("analyserom_airlock: %s" % err, file=sys.stderr)
        return 1
    return {"pass": 0, "review": 3, "fail": 4}.get(record["status"], 1)


def _main_kind(kind, args):
    text = args.spec
    if not text.lstrip().startswith("{"):
        try:
            with open(text, encoding="utf-8") as fh:
                text = fh.read()
        except OSError as err:
            print("analyserom_airlock: --spec is neither JSON nor a readable file: %s" % err, file=sys.stderr)
            return 2
    source = {"copy": args.copy} if args.copy else {"output": args.output}
    try:
        spec = json.loads(text)
        if args.save:
            saved = save_checked(kind, args.save, source, spec, project=args.project)
            record = saved["check"]
            print(json.dumps({"status": saved["status"], "record": saved["record"], "files": saved["files"]}))
        else:
            record = check(kind, source, spec, project=args.project)
            print(json.dumps(record))
    except ValueError as err:
        print("analyserom_airlock: --spec is not JSON: %s" % err, file=sys.stderr)
        return 2
    except AirlockError as err:
        print("analyserom_airlock: %s" % err, file=sys.stderr)
        return 1
    return {"pass": 0, "review": 3, "fail": 4}.get(record["status"], 1)
