"""An ACRO session's outputs and the `results.json` that ACRO 1.0.1 writes (acro/record.py).

Each output keeps the control plane's check answer it was made from, so that what is written
(the table, the sdc block, the status) is always the checked result, never a number the room
computed itself. `finalise` writes, like ACRO's `Records.finalise_json`:

    <folder>/results.json        {"version": "1.0.1", "results": {uid: {uid, status, type,
                                 properties, files: [{name, sdc}], outcome, command, summary,
                                 timestamp, comments, exception, fair}}}
    <folder>/<uid>_<i>.csv       each table as `DataFrame.to_csv()` writes it
    <folder>/<plot or custom>    copied in
    <folder>/config.json         the rule parameters applied, under ACRO's key names
    <folder>/checksums/<f>.txt   sha256 of every file above (SACRO-Viewer verifies them)

and one key ACRO does not have, `analyserom` per output: the check's source, spec, policy,
checkedAt/checkedFor and the notebook that made it, for the airlock's reviewers.
"""

import datetime
import hashlib
import json
import os
import shutil

#: The results.json schema version: SACRO-Viewer compares major.minor with what it supports.
ACRO_VERSION = "1.0.1"


class Record:
    """One output: ACRO's Record fields plus the check answer behind it."""

    def __init__(self, uid, status, output_type, properties, sdc, command, summary, outcome,
                 output, fair=None, comments=None, analyserom=None):
        self.uid = uid
        self.status = status
        self.output_type = output_type
        self.properties = properties
        self.sdc = sdc
        self.command = command
        self.summary = summary
        #: ACRO's outcome DataFrame as `DataFrame.to_json()` read back (a dict), or {}.
        self.outcome = outcome
        #: DataFrames (tables) or file paths (plots, custom outputs).
        self.output = output
        self.fair = fair or {}
        self.comments = list(comments or [])
        self.exception = ""
        self.analyserom = analyserom or {}
        self.timestamp = datetime.datetime.now().isoformat()

    def __str__(self):
        return (
            "uid: %s\nstatus: %s\ntype: %s\nproperties: %s\nsdc: %s\ncommand: %s\nsummary: %s\n"
            "outcome: %s\noutput: %s\ntimestamp: %s\ncomments: %s\nexception: %s\n"
            % (self.uid, self.status, self.output_type, self.properties, self.sdc, self.command, self.summary,
               self.outcome, self.output, self.timestamp, self.comments, self.exception)
        )

    def write_files(self, folder):
        """Writes this output's files into `folder`; returns their names (ACRO's serialize_output)."""
        names = []
        for i, item in enumerate(self.output):
            if isinstance(item, str):
                if not os.path.isfile(item):
                    continue
                name = os.path.basename(item)
                shutil.copyfile(item, os.path.join(folder, name))
            else:
                name = "%s_%d.csv" % (self.uid, i)
                with open(os.path.join(folder, name), "w", newline="", encoding="utf-8") as fh:
                    fh.write(item.to_csv())
            names.append(name)
        return names


class Records:
    """The outputs of a session, keyed by uid (`output_0`, `output_1`, ... as ACRO numbers them)."""

    def __init__(self):
        self.results = {}
        self.output_id = 0

    def add(self, **fields):
        uid = "output_%d" % self.output_id
        self.results[uid] = Record(uid=uid, **fields)
        self.output_id += 1
        return self.results[uid]

    def get(self, key):
        return self.results[key]

    def remove(self, key):
        if key not in self.results:
            raise ValueError("unable to remove %s, key not found" % key)
        del self.results[key]

    def rename(self, old, new):
        if old not in self.results:
            raise ValueError("unable to rename %s, key not found" % old)
        if new in self.results:
            raise ValueError("unable to rename, %s already exists" % new)
        if not new or "/" in new or new.startswith(".") or "\x00" in new:
            raise ValueError("an output's name must be a plain file name: %r" % new)
        record = self.results.pop(old)
        record.uid = new
        self.results[new] = record

    def add_comments(self, output, comment):
        if output not in self.results:
            raise ValueError("unable to find %s, key not found" % output)
        self.results[output].comments.append(comment)

    def add_exception(self, output, reason):
        if output not in self.results:
            raise ValueError("unable to add exception: %s not found" % output)
        self.results[output].exception = reason

    def print(self):
        text = "".join(str(r) + "\n" for r in self.results.values())
        print(text)
        return text

    def finalise_json(self, folder, config):
        """Writes results.json, the outputs' files, config.json and the checksums into `folder`."""
        os.makedirs(folder, exist_ok=True)
        outputs = {}
        for key, rec in self.results.items():
            names = rec.write_files(folder)
            outputs[key] = {
                "uid": rec.uid,
                "status": rec.status,
                "type": rec.output_type,
                "properties": rec.properties,
                "files": [{"name": name, "sdc": rec.sdc} for name in names],
                "outcome": rec.outcome,
                "command": rec.command,
                "summary": rec.summary,
                "timestamp": rec.timestamp,
                "comments": rec.comments,
                "exception": rec.exception,
                "fair": rec.fair,
                "analyserom": rec.analyserom,
            }
        _write_json(os.path.join(folder, "results.json"), {"version": ACRO_VERSION, "results": outputs})
        _write_json(os.path.join(folder, "config.json"), config)
        write_checksums(folder)


def _write_json(path, data):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        json.dump(data, fh, indent=4, sort_keys=False, ensure_ascii=False)
        fh.write("\n")


def write_checksums(folder):
    """`checksums/<name>.txt` with each top-level file's sha256, as ACRO's write_checksums."""
    sums = {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if os.path.isfile(path) and not os.path.islink(path):
            with open(path, "rb") as fh:
                sums[name] = hashlib.sha256(fh.read()).hexdigest()
    os.makedirs(os.path.join(folder, "checksums"), exist_ok=True)
    for name, digest in sums.items():
        with open(os.path.join(folder, "checksums", name + ".txt"), "w", encoding="utf-8") as fh:
            fh.write(digest)
