#!/bin/sh
# Fills fuzz/corpus/<target>/ with seeds (not committed): shared/corpus templates for the
# template and metadata parsers, the committed plan files, the corpus's resolved resources
# for the dependency graph. HEAT_SYNC_SHARED names shared/ (default ../shared from the repo).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
shared=${HEAT_SYNC_SHARED:-$repo/../shared}
[ -d "$shared/corpus/templates" ] || { echo "seed.sh: no corpus at $shared/corpus (set HEAT_SYNC_SHARED)" >&2; exit 2; }

seed_templates() { # $1 = target: every corpus template and example, one file each
    mkdir -p "$here/corpus/$1"
    find "$shared/corpus/templates" "$repo/examples" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.template' \) 2>/dev/null |
        while read -r f; do cp "$f" "$here/corpus/$1/$(echo "$f" | sha1sum | cut -c1-16)"; done
}
seed_templates template
seed_templates metadata
seed_templates yaml_fast
cp "$here"/seeds/metadata/* "$here/corpus/metadata/"

mkdir -p "$here/corpus/plan_file"
cp "$here"/seeds/plan/*.json "$here/corpus/plan_file/"
[ -d "$repo/examples" ] && find "$repo/examples" -name '*plan*.json' -exec cp {} "$here/corpus/plan_file/" \; || true

mkdir -p "$here/corpus/dependency_graph"
python3 - "$shared/corpus/expected" "$here/corpus/dependency_graph" <<'PY'
import json, os, sys, hashlib
src, dst = sys.argv[1], sys.argv[2]
for root, _, files in os.walk(src):
    for f in files:
        d = json.load(open(os.path.join(root, f)))
        res = d.get("resources") or {}
        props = ((d.get("resolved") or {}).get("resources")) or {}
        nodes = [{"name": n, "type": r.get("type", ""), "references": r.get("requires", []),
                  "properties": (props.get(n) or {}).get("properties")} for n, r in res.items()]
        text = json.dumps(nodes).encode()
        open(os.path.join(dst, hashlib.sha1(text).hexdigest()[:16]), "wb").write(text)
PY
mkdir -p "$here/corpus/protocol_records"
python3 - "$here/corpus/protocol_records" <<'PY'
import os, sys
seeds = {  # first byte: 0 node bytes, 1 names -> path, 2 path -> key, 3 address
    "record-value": b'\0{"value":{"a":[1,"x",2.5,null,true]}}',
    "record-failed": b'\0{"failed":{"role":"mysql","error":"exit 1"}}',
    "role-failed": b'\0{"state":"failed","error":"boom"}',
    "liveness": b'\0{"pid":42,"since":1700000000}',
    "key-member": b"\1web\x010\x01url",
    "key-plain": b"\1db\x01db_host",
    "path-member": b"\2web/0/url",
    "path-escaped": b"\2a%2Fb/%25/x",
    "address-zk": b"\3zk://127.0.0.1:2181,127.0.0.1:2182/hs",
    "address-embedded": b"\3embedded:///var/lib/heat-sync",
}
for name, data in seeds.items():
    open(os.path.join(sys.argv[1], name), "wb").write(data)
PY

for d in "$here"/corpus/*; do echo "$(basename "$d"): $(ls "$d" | wc -l) seeds"; done
