#!/usr/bin/env python3
"""Helpers for scripts/faults: each subcommand does one small job for the bash script.

  free-port                          a free TCP port on 127.0.0.1
  config OUT [KEY=JSON ...]          a configuration of server.tokens (the SHA-256 digests of
                                     $FAULTS_TOKEN_FEED, _MODERATOR, _ADOPS) and the dotted keys
                                     given; everything else keeps the built-in defaults
  leave-free MOUNT BYTES             grows or shrinks MOUNT/filler so that BYTES stay free
  lock DB SECONDS [--empty-wal]      holds SQLite's write lock (BEGIN EXCLUSIVE) for SECONDS;
                                     prints "locked" when it holds it
  sql DB QUERY                       the rows of a read-only query, as one JSON array
  posts-ok DB DATA IDS...            every post named is stored and each of its files exists with
                                     the size its row records; prints {"ok", "missing", ...}
  integrity DB                       PRAGMA integrity_check and foreign_key_check findings
  manifest BASE OUT N UNIQUE         a manifest of BASE's entries plus N generated campaigns and
                                     creatives (UNIQUE of them with photos of their own)
  kill-at-wal PID WAL N DELAY_MS MAX_S  kills PID (SIGKILL) DELAY_MS after the N-th change of
                                     WAL (each commit changes it), or after MAX_S anyway
  watch-wal PID WAL                  how many times WAL changed until PID exited
  run [--out F] MODE -- CMD...       runs CMD and kills it (SIGKILL) at a moment chosen by MODE
                                     (--after-ms MS, --wal WAL N DELAY_MS, --wal-size WAL BYTES
                                     DELAY_MS, --files DIR N; --watch WAL only counts); see run()
  ads-state DB                       generated inventory, integrity, a digest of the demo ads' money
  purge-state DB DATA T IDS...       integrity, live posts (expiring after T), expired left, and
                                     whether the live and the given posts have all their files
  kill-at-files PID DIR N MAX_S      kills PID once N more files are under DIR (or after MAX_S)
  ads-client ...                     feeds and ad events against a server (see below)
  ads-check DB ACKS                  compares the store's served ads, events and spend with the
                                     acknowledgements the client recorded
  table TSV [--markdown]             the result table
"""
import hashlib
import json
import os
import random
import signal
import socket
import sqlite3
import sys
import textwrap
import subprocess
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    print(port)


def config(out, *settings):
    # Only what differs from the built-in defaults (equal to config/engine.json): keys left out
    # keep their defaults, so the file suits the binary under test whatever the work tree holds.
    c = {}
    tokens = {
        "feed": os.environ["FAULTS_TOKEN_FEED"],
        "moderator": os.environ["FAULTS_TOKEN_MODERATOR"],
        "adops": os.environ["FAULTS_TOKEN_ADOPS"],
    }
    c.setdefault("server", {})["tokens"] = {r: [hashlib.sha256(t.encode()).hexdigest()] for r, t in tokens.items()}
    for setting in settings:
        key, value = setting.split("=", 1)
        node = c
        parts = key.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = json.loads(value)
    with open(out, "w") as f:
        json.dump(c, f, indent=2, ensure_ascii=False)
        f.write("\n")


def leave_free(mount, leave):
    leave = int(leave)
    filler = os.path.join(mount, "filler")
    with open(filler, "ab") as f:
        f.truncate(0)
        f.flush()
        os.fsync(f.fileno())
        st = os.statvfs(mount)
        free = st.f_bavail * st.f_frsize
        target = max(0, free - leave)
        if target:
            os.posix_fallocate(f.fileno(), 0, target)
    st = os.statvfs(mount)
    print(st.f_bavail * st.f_frsize)


def lock(db, seconds, *flags):
    c = sqlite3.connect(db, isolation_level=None, timeout=30)
    if "--empty-wal" not in flags:
        # A writer that has written before (as any engine process has: opening the store leaves a
        # non-empty WAL): commit a change that nets out to nothing.
        c.execute("BEGIN IMMEDIATE")
        c.execute("CREATE TABLE faults_probe (x)")
        c.execute("DROP TABLE faults_probe")
        c.execute("COMMIT")
    c.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    time.sleep(float(seconds))
    c.execute("ROLLBACK")
    c.close()


def connect(db):
    # Read-write mode (so that a WAL left by a killed process can be recovered), reads only.
    c = sqlite3.connect(db, timeout=30)
    c.execute("PRAGMA query_only = 1")
    return c


def sql(db, query):
    c = connect(db)
    print(json.dumps([list(r) for r in c.execute(query).fetchall()]))


def file_problems(c, data, pid):
    """None when the post is not stored; else its files that are missing or of the wrong size,
    as (blob, "missing" | "size")."""
    row = c.execute("SELECT seq FROM posts WHERE id = ?", (pid,)).fetchone()
    if row is None:
        return None
    problems = []
    for blob, size in c.execute(
            "SELECT b.id, b.bytes FROM post_blobs pb JOIN blobs b ON b.id = pb.blob_id WHERE pb.post_seq = ?", (row[0],)):
        path = os.path.join(data, "blobs", blob[:2], blob)
        if not os.path.exists(path):
            problems.append((blob, "missing"))
        elif os.path.getsize(path) != size:
            problems.append((blob, "size"))
    return problems


def posts_ok(db, data, *ids):
    c = connect(db)
    missing_posts, missing_files, wrong_size = [], [], []
    for pid in ids:
        problems = file_problems(c, data, pid)
        if problems is None:
            missing_posts.append(pid)
            continue
        missing_files += [blob for blob, kind in problems if kind == "missing"]
        wrong_size += [blob for blob, kind in problems if kind == "size"]
    ok = not (missing_posts or missing_files or wrong_size)
    print(json.dumps({"ok": ok, "checked": len(ids), "missing_posts": missing_posts,
                      "missing_files": missing_files, "wrong_size": wrong_size}))


def integrity(db):
    c = connect(db)
    findings = [r[0] for r in c.execute("PRAGMA integrity_check") if r[0] != "ok"]
    findings += ["foreign key: %s" % (tuple(r),) for r in c.execute("PRAGMA foreign_key_check")]
    print(json.dumps(findings))


def manifest(base, out, n, unique):
    """BASE's advertisers, campaigns and creatives (their media copied beside OUT) plus N
    generated campaigns with a creative each; UNIQUE of those get a photo of their own (BASE's
    first photo with a JPEG comment segment naming it: other bytes, same picture)."""
    n, unique = int(n), int(unique)
    src_dir = os.path.dirname(os.path.abspath(base))
    out_dir = os.path.dirname(os.path.abspath(out))
    m = json.load(open(base))
    media = sorted({c["media"] for c in m["creatives"]})
    for name in media:
        with open(os.path.join(src_dir, name), "rb") as f, open(os.path.join(out_dir, name), "wb") as g:
            g.write(f.read())
    photo = next(x for x in media if x.endswith(".jpg"))
    video = next((x for x in media if x.endswith(".mp4")), photo)
    jpeg = open(os.path.join(src_dir, photo), "rb").read()
    assert jpeg[:2] == b"\xff\xd8"
    for i in range(unique):
        comment = b"status faults creative %d" % i
        segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
        with open(os.path.join(out_dir, "gen-%04d.jpg" % i), "wb") as g:
            g.write(jpeg[:2] + segment + jpeg[2:])
    for a in range((n + 4) // 5):
        m["advertisers"].append({"id": "gen-adv-%d" % a, "name": "Generated advertiser %d" % a, "chat": "+2010%08d" % a})
    for c in range(n):
        m["campaigns"].append({
            "id": "gen-camp-%d" % c, "advertiser": "gen-adv-%d" % (c // 5), "bid_cpm_micros": 1000000 + c,
            "daily_budget_micros": 20000000, "total_budget_micros": 400000000,
            "start": "2026-11-01T00:00:00Z", "end": "2027-10-31T00:00:00Z", "pacing": "even",
            "targeting": {"age": [18, 80]}})
        name = "gen-%04d.jpg" % c if c < unique else (video if c % 2 else photo)
        m["creatives"].append({"id": "gen-cr-%d" % c, "campaign": "gen-camp-%d" % c, "media": name,
                               "headline": "Generated creative %d" % c, "cta": {"type": "message"}})
    with open(out, "w") as f:
        json.dump(m, f, ensure_ascii=False)
    print(json.dumps({"advertisers": len(m["advertisers"]), "campaigns": len(m["campaigns"]),
                      "creatives": len(m["creatives"]), "media": sorted(set(c["media"] for c in m["creatives"]))}))


def wal_signature(wal):
    try:
        st = os.stat(wal)
        return (st.st_size, st.st_mtime_ns)
    except OSError:
        return None


def run(*args):
    """run [--out FILE] [--after-ms MS | --wal WAL N DELAY_MS | --wal-size WAL BYTES DELAY_MS |
            --files DIR N | --watch WAL] -- CMD...

    Starts CMD (stdout to FILE) and kills it with SIGKILL: MS after it started; DELAY_MS after the
    N-th change of WAL (size or modification time; each commit changes it); DELAY_MS after WAL
    reached BYTES (a large transaction being committed); or once N more files are under DIR. --watch kills nothing and counts WAL's changes. Watching starts before CMD
    does, so no change is missed. Prints {"killed", "how", "ms", "changes", "files", "rc"}."""
    args = list(args)
    cut = args.index("--")
    opts, cmd = args[:cut], args[cut + 1:]
    out = subprocess.DEVNULL
    mode, params = None, []
    i = 0
    while i < len(opts):
        o = opts[i]
        if o == "--out":
            out = open(opts[i + 1], "w"); i += 2
        elif o == "--after-ms":
            mode, params = "time", [float(opts[i + 1]) / 1000]; i += 2
        elif o == "--wal":
            mode, params = "wal", [opts[i + 1], int(opts[i + 2]), float(opts[i + 3]) / 1000]; i += 4
        elif o == "--wal-size":
            mode, params = "wal-size", [opts[i + 1], int(opts[i + 2]), float(opts[i + 3]) / 1000]; i += 4
        elif o == "--files":
            mode, params = "files", [opts[i + 1], int(opts[i + 2])]; i += 3
        elif o == "--watch":
            mode, params = "watch", [opts[i + 1]]; i += 2
        else:
            raise SystemExit("run: unknown option " + o)

    def count(folder):
        return sum(len(files) for _, _, files in os.walk(folder))

    wal = params[0] if mode in ("wal", "watch", "wal-size") else None
    last = wal_signature(wal) if wal else None
    base = count(params[0]) if mode == "files" else 0
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
    changes, how = 0, "exited"
    while proc.poll() is None:
        if mode == "time" and time.monotonic() - started >= params[0]:
            how = "time"
        elif wal:
            now = wal_signature(wal)
            if now != last:
                changes += 1
                last = now
                if (mode == "wal" and changes >= params[1]) or (mode == "wal-size" and now and now[0] >= params[1]):
                    if params[2]:
                        time.sleep(params[2])
                    how = mode
        elif mode == "files" and count(params[0]) >= base + params[1]:
            how = "files"
        if how != "exited":
            proc.kill()
            break
        time.sleep(0.001 if mode != "time" else 0.002)
    rc = proc.wait()
    print(json.dumps({"killed": how != "exited", "how": how, "ms": int((time.monotonic() - started) * 1000),
                      "changes": changes, "files": (count(params[0]) - base) if mode == "files" else None, "rc": rc}))


def ads_state(db):
    """One line: the generated inventory (advertisers/campaigns/creatives whose ids start with
    gen-), "ok" or the number of integrity findings, and a digest of the demo campaigns' money
    (spend, spend and served per day, served ads, their cost and events: what the ads report is
    made of)."""
    c = connect(db)
    inv = "/".join(str(c.execute("SELECT count(*) FROM %s WHERE id LIKE 'gen-%%'" % t).fetchone()[0])
                   for t in ("advertisers", "campaigns", "creatives"))
    findings = [r[0] for r in c.execute("PRAGMA integrity_check") if r[0] != "ok"]
    findings += list(c.execute("PRAGMA foreign_key_check"))
    money = [list(c.execute("SELECT id, spent_micros, total_budget_micros FROM campaigns WHERE id NOT LIKE 'gen-%' ORDER BY id")),
             list(c.execute("SELECT campaign_id, day, spent_micros, served FROM campaign_days WHERE campaign_id NOT LIKE 'gen-%' ORDER BY 1, 2")),
             list(c.execute("SELECT count(*), coalesce(sum(cost_micros), 0) FROM ad_serves")),
             list(c.execute("SELECT type, count(*) FROM ad_events GROUP BY type ORDER BY type"))]
    print(inv, "ok" if not findings else "%d-findings" % len(findings),
          hashlib.sha256(json.dumps(money).encode()).hexdigest()[:16])


def purge_state(db, data, expires_by, *acked):
    """After a purge was killed: integrity, the live posts (expiring after EXPIRES_BY) as a
    digest and a count, how many expired are left, and whether every live and acknowledged post
    has all its files."""
    c = connect(db)
    findings = [r[0] for r in c.execute("PRAGMA integrity_check") if r[0] != "ok"]
    findings += ["foreign key: %s" % (tuple(r),) for r in c.execute("PRAGMA foreign_key_check")]
    live = [r[0] for r in c.execute("SELECT id FROM posts WHERE expires_at > ? ORDER BY id", (int(expires_by),))]
    expired = c.execute("SELECT count(*) FROM posts WHERE expires_at <= ?", (int(expires_by),)).fetchone()[0]
    bad = []
    for pid in sorted(set(live) | set(acked)):
        problems = file_problems(c, data, pid)
        if problems is None:
            bad.append(pid)
            continue
        bad += [pid + "/" + blob for blob, _ in problems]
    # One line: integrity, live posts' digest, live count, expired left, files.
    print("ok" if not findings else "%d-findings" % len(findings), hashlib.sha256(" ".join(live).encode()).hexdigest()[:16],
          len(live), expired, "ok" if not bad else "bad:" + ",".join(bad[:3]))


def kill_at_files(pid, folder, n, max_s):
    """Kills PID (SIGKILL) once N more files are under FOLDER than when this started (or after
    MAX_S anyway): a kill in the middle of writing blob files."""
    pid, n, deadline = int(pid), int(n), time.monotonic() + float(max_s)

    def count():
        return sum(len(files) for _, _, files in os.walk(folder))

    start = count()
    how = "timeout"
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            print(json.dumps({"killed": False, "how": "exited"}))
            return
        if count() >= start + n:
            how = "files"
            break
        time.sleep(0.001)
    try:
        os.kill(pid, signal.SIGKILL)
        print(json.dumps({"killed": True, "how": how, "files": count() - start}))
    except OSError:
        print(json.dumps({"killed": False, "how": "exited"}))


# --- Ads: feeds and events against a server ------------------------------------------------------

def http(method, url, token, body=None, timeout=10):
    import urllib.error
    import urllib.request
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read() or b"null")
        except ValueError:
            return e.code, None


def ads_client(base, token, at, viewers_csv, out, rounds, duplicate_every, forever):
    """Asks each viewer's feed, sends an impression for every ad served, a click for every
    third, and every DUPLICATE_EVERY-th event twice; appends one JSON line per outcome to OUT,
    flushed and synced once the answer came back: {"kind": "serve", "token", "campaign"} for an
    ad received, {"kind": "event", "token", "type", "status", "outcome"} for an answer,
    {"kind": "attempt", ...} written before an event is sent. With FOREVER it loops until the
    server stops answering (killed), then exits 0."""
    viewers = viewers_csv.split(",")
    rounds, duplicate_every, forever = int(rounds), int(duplicate_every), forever == "1"
    f = open(out, "a")

    def log(record):
        f.write(json.dumps(record) + "\n")
        f.flush()
        os.fsync(f.fileno())

    n = 0
    r = 0
    try:
        while forever or r < rounds:
            r += 1
            for viewer in viewers:
                status, page = http("GET", "%s/v1/feed/%s?at=%s" % (base, viewer, at), token)
                if status != 200:
                    log({"kind": "feed_error", "viewer": viewer, "status": status})
                    continue
                ads = [i for i in page["items"] if i.get("type") == "ad"]
                for ad in ads:
                    log({"kind": "serve", "token": ad["token"], "campaign": ad["campaign"], "viewer": viewer})
                for ad in ads:
                    types = ["impression"] + (["click"] if n % 3 == 0 else [])
                    for t in types:
                        n += 1
                        times = 2 if duplicate_every and n % duplicate_every == 0 else 1
                        for _ in range(times):
                            log({"kind": "attempt", "token": ad["token"], "type": t})
                            status, answer = http("POST", base + "/v1/ads/events", token,
                                                  {"token": ad["token"], "type": t, "at": at})
                            log({"kind": "event", "token": ad["token"], "type": t, "status": status,
                                 "outcome": (answer or {}).get("outcome") if status == 200 else
                                 ((answer or {}).get("error") or {}).get("code")})
    except (ConnectionError, OSError, TimeoutError) as e:  # urllib's URLError is an OSError
        if not forever:
            raise
        log({"kind": "stopped", "reason": type(e).__name__})


def load_acks(path):
    serves, attempts, acked = {}, set(), {}
    for line in open(path):
        try:
            rec = json.loads(line)
        except ValueError:
            continue  # a line cut by the kill of the client (never happens: the server is killed)
        if rec["kind"] == "serve":
            serves[rec["token"]] = rec["campaign"]
        elif rec["kind"] == "attempt":
            attempts.add((rec["token"], rec["type"]))
        elif rec["kind"] == "event" and rec["status"] == 200:
            acked.setdefault((rec["token"], rec["type"]), []).append(rec["outcome"])
    return serves, attempts, acked


def ads_check(db, acks):
    """The store against what the client was told. Prints one JSON object."""
    c = connect(db)
    serves, attempts, acked = load_acks(acks)
    stored_serves = {t: (camp, cost) for t, camp, cost in c.execute("SELECT token, campaign_id, cost_micros FROM ad_serves")}
    # Tokens as the client holds them are "<id>.<signature>"; the store keeps the id.
    def tid(token):
        return token.split(".", 1)[0]
    events = {(t, ty) for t, ty in c.execute("SELECT token, type FROM ad_events")}
    acked_ids = {(tid(t), ty) for (t, ty) in acked}
    attempted_ids = {(tid(t), ty) for (t, ty) in attempts}
    lost = sorted("%s/%s" % p for p in acked_ids - events)
    unacked_counted = sorted("%s/%s" % p for p in (events & attempted_ids) - acked_ids)
    foreign = sorted("%s/%s" % p for p in events - attempted_ids)
    # An event counted once: the first answer "recorded", any later one "already_counted".
    twice = sorted("%s/%s" % (tid(t), ty) for (t, ty), outs in acked.items() if outs.count("recorded") > 1)
    serves_without = sorted(tid(t) for (t, _) in acked if tid(t) not in stored_serves)
    served_lost = sorted(tid(t) for t in serves if tid(t) not in stored_serves)
    # Spend: every campaign's spend is its recorded ads' cost plus what live leases hold unused.
    spend = []
    for camp, spent in c.execute("SELECT id, spent_micros FROM campaigns"):
        recorded = c.execute("SELECT coalesce(sum(cost_micros), 0) FROM ad_serves WHERE campaign_id = ?", (camp,)).fetchone()[0]
        leased = c.execute("SELECT coalesce(sum(granted_micros - used_micros), 0) FROM budget_leases WHERE campaign_id = ?", (camp,)).fetchone()[0]
        days_spent = c.execute("SELECT coalesce(sum(spent_micros), 0), coalesce(sum(served), 0) FROM campaign_days WHERE campaign_id = ?", (camp,)).fetchone()
        served = c.execute("SELECT count(*) FROM ad_serves WHERE campaign_id = ?", (camp,)).fetchone()[0]
        spend.append({"campaign": camp, "spent": spent, "recorded": recorded, "leased_unused": leased,
                      "days_spent": days_spent[0], "days_served": days_spent[1], "served": served,
                      "ok": spent == recorded + leased and days_spent[0] == spent and days_spent[1] == served})
    report = {}
    for ty in ("impression", "click"):
        report[ty] = c.execute("SELECT count(*) FROM ad_events WHERE type = ?", (ty,)).fetchone()[0]
    print(json.dumps({
        "served_to_client": len(serves), "served_recorded": len(stored_serves), "served_lost": len(served_lost),
        "acked_events": len(acked_ids), "stored_events": len(events), "attempted_events": len(attempted_ids),
        "lost_events": lost, "unacked_but_counted": len(unacked_counted), "foreign_events": foreign,
        "recorded_twice": twice, "acked_without_serve": serves_without,
        "events_by_type": report, "spend": spend,
        "spend_ok": all(s["ok"] for s in spend), "leases": c.execute("SELECT count(*) FROM budget_leases").fetchone()[0],
    }))


def resend(base, token, at, acks, db, out):
    """Sends every event attempted before again (a client retrying after the outage), counts the
    answers by outcome, and checks that an acknowledged event answers already_counted and that
    unknown_token comes only for ads the store has no record of (served, then lost unrecorded
    with the server)."""
    serves, attempts, acked = load_acks(acks)
    stored = {t for (t,) in connect(db).execute("SELECT token FROM ad_serves")}
    outcomes = {}
    wrong, unknown_stored = [], []
    for (t, ty) in sorted(attempts):
        status, answer = http("POST", base + "/v1/ads/events", token, {"token": t, "type": ty, "at": at})
        outcome = (answer or {}).get("outcome") if status == 200 else ((answer or {}).get("error") or {}).get("code")
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if (t, ty) in acked and outcome != "already_counted":
            wrong.append({"token": t, "type": ty, "outcome": outcome})
        if outcome == "unknown_token" and t.split(".", 1)[0] in stored:
            unknown_stored.append(t)
    json.dump({"outcomes": outcomes, "acked_not_already_counted": wrong, "unknown_but_served": unknown_stored}, open(out, "w"))
    print(json.dumps({"outcomes": outcomes, "acked_not_already_counted": len(wrong), "unknown_but_served": len(unknown_stored)}))


# --- The result table ----------------------------------------------------------------------------

def table(tsv, *flags):
    rows = [line.rstrip("\n").split("\t") for line in open(tsv) if line.strip()]
    if "--markdown" in flags:
        print("| scenario | what was done | expected | observed | result |")
        print("|---|---|---|---|---|")
        for r in rows:
            print("| " + " | ".join(x.replace("|", "\\|") for x in r) + " |")
        return
    widths = [22, 38, 38, 44, 6]
    heads = ["scenario", "what was done", "expected", "observed", "result"]

    def emit(cells):
        wrapped = [textwrap.wrap(c, w) or [""] for c, w in zip(cells, widths)]
        for i in range(max(len(w) for w in wrapped)):
            print(" | ".join((w[i] if i < len(w) else "").ljust(width) for w, width in zip(wrapped, widths)).rstrip())

    rule = "-+-".join("-" * w for w in widths)
    emit(heads)
    print(rule)
    for r in rows:
        emit(r)
        print(rule)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {
        "free-port": free_port, "config": config, "leave-free": leave_free, "lock": lock, "sql": sql,
        "posts-ok": posts_ok, "integrity": integrity, "manifest": manifest, "kill-at-files": kill_at_files,
        "purge-state": purge_state, "run": run, "ads-state": ads_state,
        "ads-client": ads_client, "ads-check": ads_check, "resend": resend, "table": table,
    }[cmd](*args)


if __name__ == "__main__":
    main()
