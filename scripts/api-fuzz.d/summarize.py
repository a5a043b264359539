#!/usr/bin/env python3
"""Summarises the Schemathesis runs of scripts/api-fuzz.

    summarize.py OPENAPI RUN_DIR ROLE...

Reads RUN_DIR/ROLE/report.json (Schemathesis's JSON run report) and RUN_DIR/ROLE/events.ndjson
(its event stream, with every request and response) for each role, prints per role the
operations tested, the failures and the distinct failures (operation, check, status, a short
reason), writes every distinct failure with its request, response and a curl command to
RUN_DIR/failures.txt, and exits 1 if anything failed or errored, or if an operation of the document
has neither an `x-role` among ROLE nor `security: []` (the run called `none`), so that no run
selects it (2 if a report is missing).

Needs PyYAML (run with the virtualenv's python, which Schemathesis brings it to).
"""
import base64
import json
import os
import shlex
import sys
from collections import OrderedDict

import yaml


def decode(payload):
    if payload is None:
        return b""
    if isinstance(payload, dict):
        if "$base64" in payload:
            return base64.b64decode(payload["$base64"])
        if "string" in payload:
            return payload["string"].encode()
    if isinstance(payload, str):
        return payload.encode()
    return json.dumps(payload).encode()


def text(data, limit):
    s = data.decode("utf-8", "backslashreplace")
    return s if len(s) <= limit else s[:limit] + f"… ({len(data)} bytes)"


def curl(request, limit=2000):
    parts = ["curl", "-i", "-X", request.get("method", "GET")]
    for name, values in (request.get("headers") or {}).items():
        for value in values if isinstance(values, list) else [values]:
            if name.lower() == "authorization":
                value = "Bearer $TOKEN" if str(value).lower().startswith("bearer") or value == "[Filtered]" else value
            parts += ["-H", f"{name}: {value}"]
    body = decode(request.get("body"))
    if body:
        try:
            parts += ["--data-binary", body.decode("utf-8")]
        except UnicodeDecodeError:
            parts += ["--data-binary", "<" + str(len(body)) + " binary bytes, see the NDJSON report>"]
    parts.append(request.get("uri", ""))
    command = " ".join(shlex.quote(p) for p in parts)
    # $TOKEN stays a variable for the shell.
    command = command.replace("'Authorization: Bearer $TOKEN'", '"Authorization: Bearer $TOKEN"')
    return command if len(command) <= limit else command[:limit] + " …"


def first_lines(message, n=2, limit=220):
    lines = [l.strip() for l in (message or "").splitlines() if l.strip()]
    s = " / ".join(lines[:n])
    return s if len(s) <= limit else s[:limit] + "…"


def error_of(body):
    """The code and message of a JSON error answer, else (None, None)."""
    try:
        error = json.loads(body).get("error")
        return error.get("code"), error.get("message")
    except Exception:
        return None, None


def role_failures(path):
    """Distinct failures of one run, in the order met: key -> dict."""
    distinct = OrderedDict()
    errors = []
    total = 0
    with open(path) as f:
        for line in f:
            event = json.loads(line)
            (kind, body), = event.items()
            if "Error" in kind:
                errors.append(f"{kind}: {first_lines(json.dumps(body), 3, 400)}")
                continue
            if kind != "ScenarioFinished":
                continue
            recorder = body.get("recorder") or {}
            interactions = recorder.get("interactions") or {}
            for case_id, checks in (recorder.get("checks") or {}).items():
                for check in checks:
                    if check.get("status") != "failure":
                        continue
                    failure = (check.get("failure_info") or {}).get("failure") or {}
                    interaction = interactions.get(case_id) or {}
                    request = interaction.get("request") or {}
                    response = interaction.get("response") or {}
                    operation = failure.get("operation") or recorder.get("label") or "?"
                    status = response.get("status_code")
                    response_body = decode(response.get("content"))
                    error_code, error_message = error_of(response_body)
                    key = (operation, check.get("name"), status, error_code, failure.get("title"))
                    total += 1
                    if key in distinct:
                        distinct[key]["count"] += 1
                        distinct[key]["methods"].add(request.get("method") or "?")
                        continue
                    distinct[key] = {
                        "operation": operation,
                        "check": check.get("name"),
                        "code": failure.get("code"),
                        "title": failure.get("title"),
                        "message": failure.get("message") or "",
                        "status": status,
                        "phase": body.get("phase"),
                        "case": case_id,
                        "request": request,
                        "response_body": response_body,
                        "error_code": error_code,
                        "error_message": error_message,
                        "response_headers": response.get("headers") or {},
                        "count": 1,
                        "methods": {request.get("method") or "?"},
                    }
    return distinct, errors, total


def main():
    document, run_dir, roles = sys.argv[1], sys.argv[2], sys.argv[3:]
    out = []
    details = []
    failed = False
    selected_total = 0
    document_total = None
    for role in roles:
        report_path = os.path.join(run_dir, role, "report.json")
        events_path = os.path.join(run_dir, role, "events.ndjson")
        if not (os.path.exists(report_path) and os.path.exists(events_path)):
            out.append(f"{role}: no report (see {os.path.join(run_dir, role + '.txt')})")
            print("\n".join(out))
            return 2
        report = json.load(open(report_path))
        operations = report.get("operations") or {}
        document_total = operations.get("total", document_total)
        selected_total += operations.get("selected", 0)
        distinct, errors, total = role_failures(events_path)
        errors += [first_lines(json.dumps(e), 3, 400) for e in report.get("errors") or []]
        cases = (report.get("test_cases") or {}).get("generated", 0)
        out.append(f"{role}: {operations.get('tested', 0)}/{operations.get('selected', 0)} operations tested, "
                   f"{cases} test cases, {total} failed checks, {len(distinct)} distinct failures, "
                   f"{len(errors)} errors ({report.get('running_time', 0):.0f} s)")
        if operations.get("tested", 0) < operations.get("selected", 0) or operations.get("errored"):
            failed = True
            out.append(f"  not every selected operation was tested: {json.dumps(operations)}")
        for key, f in distinct.items():
            failed = True
            methods = sorted(f["methods"])
            sent = "" if methods == [f["operation"].split(" ")[0]] else f" (sent as {', '.join(methods)})"
            status = f"{f['status']}" + (f" {f['error_code']}" if f["error_code"] else "")
            reason = first_lines(f["message"], 1, 120)
            if f["error_message"]:
                reason += f"; server: {first_lines(f['error_message'], 1, 100)}"
            out.append(f"  - {f['operation']}{sent}  {f['check']} ({f['code']})  status {status}  "
                       f"x{f['count']}: {reason}")
            details.append("\n".join([
                f"[{role}] {f['operation']} — {f['check']} ({f['code']} {f['title']}), "
                f"{f['count']} time(s), methods sent {', '.join(sorted(f['methods']))}, "
                f"first in phase {f['phase']}, case {f['case']}",
                "reason: " + "\n        ".join(l for l in f["message"].splitlines()),
                f"request: {f['request'].get('method')} {f['request'].get('uri')}",
                "  " + curl(f["request"]),
                f"response: {f['status']}  " + ", ".join(
                    f"{k}: {v[0] if isinstance(v, list) and v else v}" for k, v in f["response_headers"].items()),
                "  " + text(f["response_body"], 1500),
                "",
            ]))
        for e in errors:
            failed = True
            out.append(f"  - error: {e}")
            details.append(f"[{role}] error: {e}\n")
    spec = yaml.safe_load(open(document))
    orphans = []
    for path, item in (spec.get("paths") or {}).items():
        for method, op in item.items():
            if method not in ("get", "put", "post", "delete", "patch", "head", "options", "trace"):
                continue
            role = op.get("x-role") or ("none" if op.get("security") == [] else None)
            if role not in roles:
                orphans.append(f"{method.upper()} {path} (x-role {op.get('x-role')!r})")
    if orphans:
        failed = True
        out.append("operations no run selects: " + ", ".join(orphans))
    if document_total is not None and selected_total != document_total:
        failed = True
        out.append(f"the runs selected {selected_total} operations in all, the document has {document_total}")
    elif not orphans:
        out.append(f"all {document_total} operations of the document were selected, each by its role's run")
    with open(os.path.join(run_dir, "failures.txt"), "w") as f:
        f.write("\n".join(details) if details else "no failures\n")
    print("\n".join(out))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
