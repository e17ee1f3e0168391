"""Every answer of print_router_responses (the router over a fake backend) must be one
api/admin.openapi.yaml documents: status, Content-Type, headers and body schema.
Usage: check_router_responses.py <print_router_responses binary>"""
import collections
import json
import subprocess
import sys

from openapi_schema import check_response


def main():
    out = subprocess.run([sys.argv[1]], check=True, capture_output=True, text=True).stdout
    seen = collections.Counter()
    for line in out.splitlines():
        r = json.loads(line)
        media = r["content_type"].split(";", 1)[0]
        body = json.loads(r["body"]) if media == "application/json" else r["body"]
        if r["method"] == "HEAD":
            body = None  # the server sends none
        try:
            check_response(r["target"], r["method"], r["status"], body,
                           content_type=r["content_type"], headers=r["headers"])
        except Exception as e:  # report every mismatch, not just the first
            print(f"FAIL {r['method']} {r['target']} {r['status']}: {e}")
            seen["fail"] += 1
            continue
        seen[r["status"]] += 1
    print(dict(sorted(seen.items(), key=str)))
    want = {200, 202, 400, 401, 403, 404, 405, 409, 501, 503}
    missing = want - set(seen)
    if missing:
        print(f"statuses never produced: {sorted(missing)}")
    sys.exit(1 if seen["fail"] or missing else 0)


if __name__ == "__main__":
    main()
