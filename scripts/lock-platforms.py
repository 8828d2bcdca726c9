#!/usr/bin/env python3
"""Completes package-lock.json with the platform packages this machine's registry does not serve.

The registry reachable here has no macOS/Windows/musl builds of workerd and biome, so `npm install`
leaves them out of the lock and `npm ci` then refuses the lock as out of sync. They are optional
and never installed on Linux x64, so an entry naming their version and platform is all npm ci
needs. Run after `npm install` changes the lock: python3 scripts/lock-platforms.py
"""
import json
import re
import sys

LOCK = sys.argv[1] if len(sys.argv) > 1 else "package-lock.json"

def platform_of(name):
    tail = name.split("/")[-1]
    os_ = "win32" if ("win32" in tail or "windows" in tail) else "darwin" if "darwin" in tail else "android" if "android" in tail else "linux"
    cpu = "arm64" if "arm64" in tail else "x64"
    entry = {"os": [os_], "cpu": [cpu]}
    if tail.endswith("-musl"):
        entry["libc"] = ["musl"]
    return entry

def resolve(packages, from_path, dep):
    path = from_path
    while True:
        candidate = (path + "/" if path else "") + "node_modules/" + dep
        if candidate in packages:
            return candidate
        if not path:
            return None
        path = path.rsplit("/node_modules/", 1)[0] if "/node_modules/" in path else ""

lock = json.load(open(LOCK))
packages = lock["packages"]
added = 0
for path, entry in list(packages.items()):
    for dep, version in (entry.get("optionalDependencies") or {}).items():
        if not re.match(r"^\d+\.\d+\.\d+", version):
            continue  # a range (fsevents ~2.3.3): npm resolves those itself
        found = resolve(packages, path, dep)
        if found and packages[found].get("version") == version:
            continue
        top = "node_modules/" + dep
        where = top if top not in packages else (path + "/node_modules/" + dep)
        if where in packages:
            continue
        packages[where] = {"version": version, "dev": True, "optional": True, **platform_of(dep)}
        added += 1
lock["packages"] = dict(sorted(packages.items(), key=lambda kv: (kv[0] != "", kv[0])))
json.dump(lock, open(LOCK, "w"), indent=2)
open(LOCK, "a").write("\n")
print(f"lock-platforms: added {added} platform entries")
