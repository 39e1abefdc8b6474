#!/usr/bin/env python3
"""Fails when a file includes a header from a layer its CMake target may not use.

The allowed edges come from the build itself: each `spacehub_library(NAME <t> DEPS ...)` and each
`target_link_libraries(<t> ...)` (and each `$<TARGET_OBJECTS:...>` in `target_sources(<t> ...)`) in
src/*/CMakeLists.txt. Every target gets all of src/ as an include path (one path keeps #include
lines short), so the compiler alone would accept a wrong-way include of a header-only type; this
check closes that gap. A layer may include its own folder, the targets it names in DEPS (not what
they link in turn: using a layer two steps down is an edge to declare) and core. Rules beyond the
CMake graph:
  - cli is the composition root (`serve` wires every layer): it may use any of them;
  - include/spacehub/wire/* (wire types) may be used by every layer;
  - the rest of include/spacehub/ is the client's public API: client, cli and examples only;
  - src/testing/ is for tests only (*_test.cc, test_*.h, *_test_*.h, fake_*.h).
Usage: tools/check_layers.py [repo root]   (exit 1 and one line per violation)
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
SRC = ROOT / "src"
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def cmake_targets():
    """folder -> (target, [linked spacehub targets]) from every src/<folder>/CMakeLists.txt."""
    folders = {}
    for cm in sorted(SRC.glob("*/CMakeLists.txt")):
        text = re.sub(r"#.*", "", cm.read_text())
        folder = cm.parent.name
        deps = []
        m = re.search(r"spacehub_library\(\s*NAME\s+(\w+)(.*?)\)", text, re.S)
        if m:
            target = m.group(1)
            deps += re.findall(r"spacehub_\w+", m.group(2))
        else:
            m = re.search(r"add_(?:library|executable)\(\s*(\w+)", text)
            if not m:
                continue
            target = m.group(1)
        for body in re.findall(r"target_link_libraries\(\s*" + re.escape(target) + r"\b(.*?)\)",
                               text, re.S):
            deps += re.findall(r"spacehub(?:_|::)\w+", body)
        # A target that compiles in another layer's objects uses that layer as if it linked it.
        for body in re.findall(r"target_sources\(\s*" + re.escape(target) + r"\b(.*?)\)", text,
                               re.S):
            deps += re.findall(r"\$<TARGET_OBJECTS:(spacehub_\w+)>", body)
        deps = [d.replace("spacehub::", "spacehub_") for d in deps]
        folders[folder] = (target, deps)
    return folders


def allowed_folders(folders):
    by_target = {t: f for f, (t, _) in folders.items()}
    direct = {f: {by_target[d] for d in deps if d in by_target} for f, (_, deps) in folders.items()}
    allowed = {f: deps | {f, "core"} for f, deps in direct.items()}
    allowed["cli"] = set(folders) - {"testing"}
    return allowed


def main():
    folders = cmake_targets()
    allowed = allowed_folders(folders)
    client_api = {"client", "cli"}
    bad = []
    for path in sorted(SRC.rglob("*")):
        if path.suffix not in (".cc", ".h") or not path.is_file():
            continue
        rel = path.relative_to(SRC)
        layer = rel.parts[0]
        stem = path.stem
        is_test = (stem.endswith("_test") or stem.startswith(("test_", "fake_")) or
                   "_test_" in stem)
        for inc in INCLUDE_RE.findall(path.read_text(errors="replace")):
            top = inc.split("/")[0]
            if inc.startswith("spacehub/wire/"):
                continue
            if top == "spacehub":
                ok = layer in client_api
            elif top == "testing":
                ok = is_test or layer == "testing"
            elif (SRC / top).is_dir():
                ok = layer == "testing" or top in allowed.get(layer, {layer})
            else:
                continue  # a header beside the file or a system header in quotes
            if not ok:
                bad.append(f"src/{rel}: includes \"{inc}\", but {layer}/ may not use {top}/")
    for line in bad:
        print(line)
    if bad:
        print(f"{len(bad)} include(s) against the layers (allowed edges: src/*/CMakeLists.txt)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
