#!/usr/bin/env python3
"""Writes the Schemathesis configuration (schemathesis.toml) for scripts/api-fuzz.

The document gives ids, times and colours as plain strings (their formats are in prose), so
Schemathesis alone almost never names a user, post, campaign or blob that exists: nearly every
request would end in 400 or 404 and the 200 answers, whose bodies are the ones worth checking
against the document, would go untested. This asks the running server which ids exist and binds
them, as Schemathesis dictionaries, to the parameters that take them, each drawn with a probability
below 1 so that the generated values are still sent too. It also keeps the Authorization header
hidden in Schemathesis's output, and nothing else (its default hides any field whose name
contains "auth" or "token", which would hide the `author` and ad event `token` of the requests
it reports).

    prepare.py --base URL --tokens TOKENS.json --users N --out schemathesis.toml [--ids ids.json]

Standard library only (run with the system python3).
"""
import argparse
import datetime as dt
import json
import sys
import urllib.error
import urllib.request

PROBABILITY = 0.6


def get(base, token, path):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise SystemExit(f"prepare: GET {path} answered {error.code}: {error.read()[:300]!r}")


def blobs_of(renditions, into):
    for rendition in (renditions or {}).values():
        if isinstance(rendition, dict) and rendition.get("blob"):
            into[rendition["blob"]] = rendition.get("bytes", 0)


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--tokens", required=True)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--ids", help="also write what was found here, as JSON")
    args = parser.parse_args()
    tokens = json.load(open(args.tokens))
    feed, adops = tokens["feed"], tokens["adops"]

    users = [f"u{i}" for i in range(1, args.users + 1)]
    posts, posts_by_author, blobs, ad_tokens = [], {}, {}, []
    for user in users:
        status = get(args.base, feed, f"/v1/users/{user}/status")
        for post in status["posts"]:
            posts.append(post["id"])
            posts_by_author.setdefault(user, []).append(post["id"])
            blobs_of(post.get("renditions"), blobs)
    # Ad event tokens come with served ads: the first feeds that carry some (serving them is what
    # the demo does too; it charges the demo campaigns a little).
    for user in users[:80]:
        page = get(args.base, feed, f"/v1/feed/{user}")
        for item in page["items"]:
            if item.get("type") == "ad":
                if item.get("token"):
                    ad_tokens.append(item["token"])
                blobs_of((item.get("creative") or {}).get("renditions"), blobs)
        if len(ad_tokens) >= 20:
            break
    campaigns = get(args.base, adops, "/v1/ads/campaigns")
    campaign_ids = [c["id"] for c in campaigns]
    creative_ids = sorted({creative for c in campaigns for creative in c["creatives"]})

    if not posts or not blobs or not campaign_ids:
        raise SystemExit(f"prepare: the seeded data has no posts, blobs or campaigns "
                         f"(posts {len(posts)}, blobs {len(blobs)}, campaigns {len(campaign_ids)})")

    # The author with the most live posts, for DELETE /v1/posts/{post}?author= (author and post
    # must belong together for a 200).
    author = max(posts_by_author, key=lambda a: (len(posts_by_author[a]), a))
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    times = [
        now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        str(int(now.timestamp())),
        (now - dt.timedelta(hours=3)).astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat(),
        (now - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S.250Z"),
        (now + dt.timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),  # after every seeded post expired
    ]
    days = [now.strftime("%Y-%m-%d"), (now - dt.timedelta(days=1)).strftime("%Y-%m-%d"),
            now.strftime("%Y-%m-%dT%H:%M:%SZ")]
    blob_ids = sorted(blobs)
    sizes = sorted(set(blobs.values()))
    ranges = ["bytes=0-99", "bytes=100-", "bytes=-50", "bytes=0-0", f"bytes={max(sizes) + 10}-",
              "bytes=0-9,20-29", "items=0-1"]
    etags = [f'"{b}"' for b in blob_ids[:5]] + ["*", f'W/"{blob_ids[0]}"']

    dictionaries = {
        "users": users,
        "posts": posts,
        "author": [author],
        "author_posts": posts_by_author[author],
        "campaigns": campaign_ids,
        "creatives": creative_ids,
        "blobs": blob_ids,
        "ad_tokens": ad_tokens or ["t" + "A" * 22 + ".forged"],
        "times": times,
        "days": days,
        "colours": ["#075E54", "#C0392B", "#000000", "#ffffff"],
        "countries": ["EG", "BR", "NG", "US", "IN"],
        "languages": ["ar", "en", "pt-BR", "hi"],
        "ranges": ranges,
        "etags": etags,
    }
    bind = lambda name: {"dictionary": name, "probability": PROBABILITY}
    parameters = {
        "path.user": bind("users"),
        "path.viewer": bind("users"),
        "path.author": bind("users"),
        "query.author": bind("users"),
        "path.post": bind("posts"),
        "path.campaign": bind("campaigns"),
        "path.blob": bind("blobs"),
        "query.creative": bind("creatives"),
        "query.at": bind("times"),
        "query.from": bind("days"),
        "query.to": bind("days"),
        "header.Range": bind("ranges"),
        "header.If-None-Match": bind("etags"),
        "header.If-Range": bind("etags"),
        "body.author": bind("users"),
        "body.viewer": bind("users"),
        "body.id": bind("users"),
        "body.contacts[*]": bind("users"),
        "body.blocked[*]": bind("users"),
        "body.privacy.list[*]": bind("users"),
        "body.country": bind("countries"),
        "body.language": bind("languages"),
        "body.background": bind("colours"),
        "body.token": bind("ad_tokens"),
        "body.at": bind("times"),
    }
    delete_post = dict(parameters)
    delete_post["path.post"] = bind("author_posts")
    delete_post["query.author"] = bind("author")

    lines = [
        "# Written by scripts/api-fuzz.d/prepare.py for this run: ids that exist on the server.",
        "[output.sanitization]",
        f"keys-to-sanitize = {toml_value(['authorization', 'proxy-authorization', 'cookie', 'set-cookie'])}",
        f"sensitive-markers = {toml_value(['authorization'])}",
        "",
    ]
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {toml_value(values)}", ""]
    lines.append("[parameters]")
    lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in parameters.items()]
    lines += ["", "[[operations]]", 'include-operation-id = "deletePost"', "[operations.parameters]"]
    lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in delete_post.items()]
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    if args.ids:
        with open(args.ids, "w") as f:
            json.dump({k: v for k, v in dictionaries.items()}, f, indent=1)
    print(f"users {len(users)}, live posts {len(posts)}, blobs {len(blob_ids)}, "
          f"campaigns {len(campaign_ids)}, creatives {len(creative_ids)}, ad tokens {len(ad_tokens)}")


if __name__ == "__main__":
    sys.exit(main())
