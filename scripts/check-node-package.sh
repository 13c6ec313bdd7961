#!/usr/bin/env bash
# scripts/check-node-package.sh -- the npm package (bindings/node), installed
# the way users install it, into clean folders under /tmp:
#
#   1. a folder with better-sqlite3 and sqlite3 from the npm registry and the
#      package from the repository folder (npm install .../bindings/node);
#   2. a folder with only the tarball that `npm pack` makes in bindings/node
#      (the clients are reached through NODE_PATH, not installed twice).
#
# In each, bindings/node/test/check.js soft-deletes and restores a row through
# each client (both at once too). Prints one summary line; exit status 1 on
# failure, with the end of the failing step's log. Temporary folders are
# removed. Nothing built before is used: the package compiles the extension
# from ext/*.c when installed, and the clients compile from source
# (npm_config_build_from_source: no prebuilt binary from GitHub).
#
# Missing Debian packages (nodejs npm gcc libc6-dev libsqlite3-dev, and
# g++ make python3 for the clients' node-gyp builds) are installed as root
# with apt-get, as scripts/deps.sh does; other users get the command to run.
# Time: about 4-7 minutes, nearly all of it compiling the two clients'
# bundled SQLite.
#
# Environment: CC; BETTER_SQLITE3 (default better-sqlite3@12), NODE_SQLITE3
# (default sqlite3@6; empty: skip the sqlite3 client); NPM_STEP_TIMEOUT
# (seconds for each npm command, default 1200).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
PKG=$REPO/bindings/node
CC=${CC:-cc}
start=$SECONDS
me=check-node-package

missing=""
need() { case " $missing " in *" $1 "*) ;; *) missing="${missing:+$missing }$1" ;; esac; }
have() { command -v "$1" >/dev/null 2>&1; }
have node || need nodejs
have npm || need npm
have "${CC%% *}" || { need gcc; need libc6-dev; }
echo '#include <sqlite3ext.h>' | $CC -E -x c - >/dev/null 2>&1 || need libsqlite3-dev
have g++ || need g++
have make || need make
have python3 || need python3
if [ -n "$missing" ]; then
    if [ "$(id -u)" -eq 0 ] && have apt-get; then
        echo "$me: installing $missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        # shellcheck disable=SC2086,SC2016
        apt-get install -y -q --no-install-recommends $missing
    else
        echo "$me: missing Debian packages: $missing; install them with:" >&2
        echo "  sudo apt-get install -y $missing" >&2
        exit 1
    fi
fi

# better-sqlite3 12 and sqlite3 6 need Node.js 20 (13 crashes on 20).
# Debian 12's own nodejs is 18: the last lines for it (not tried here).
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -ge 20 ]; then
    BETTER_SQLITE3=${BETTER_SQLITE3:-better-sqlite3@12}
    NODE_SQLITE3=${NODE_SQLITE3-sqlite3@6}
else
    BETTER_SQLITE3=${BETTER_SQLITE3:-better-sqlite3@11}
    NODE_SQLITE3=${NODE_SQLITE3-sqlite3@5.1.7}
fi
clients="better-sqlite3${NODE_SQLITE3:+ sqlite3}"

# npm: bounded waits, quiet, no prebuilt binaries (prebuild-install honours
# build_from_source), Node's headers from the installation when it has them
# (else node-gyp would download them).
export npm_config_fetch_timeout=60000 npm_config_fetch_retries=2 \
       npm_config_fetch_retry_maxtimeout=20000 npm_config_audit=false \
       npm_config_fund=false npm_config_update_notifier=false \
       npm_config_build_from_source=true npm_config_loglevel=warn
prefix=$(dirname "$(dirname "$(command -v node)")")
[ -f "$prefix/include/node/node.h" ] && export npm_config_nodedir="$prefix"
step_timeout=${NPM_STEP_TIMEOUT:-1200}

tmp=$(mktemp -d /tmp/sd-node-package.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/log

# run STEP COMMAND...: output to the log; on failure, its end and exit 1.
run() {
    local step=$1; shift
    if ! "$@" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "$me: FAILED: $step ($((SECONDS - start))s)" >&2
        exit 1
    fi
}

# A project with install scripts allowed for its dependencies (npm 11's
# allowScripts; older npm ignores the field).
new_project() {
    mkdir -p "$1"
    (cd "$1" && npm init -y >/dev/null 2>&1)
    node -e '
        const fs = require("fs"), path = require("path");
        const dir = fs.realpathSync(process.argv[1]), file = path.join(dir, "package.json");
        const pj = JSON.parse(fs.readFileSync(file, "utf8"));
        pj.allowScripts = {};
        for (const s of process.argv.slice(2)) {
            // npm 11 keys a folder by its relative path, a tarball by its absolute one.
            const key = !s.startsWith("/") ? s : fs.statSync(s).isDirectory()
                ? "file:" + path.relative(dir, fs.realpathSync(s)) : "file:" + fs.realpathSync(s);
            pj.allowScripts[key] = true;
        }
        fs.writeFileSync(file, JSON.stringify(pj, null, 2) + "\n");
    ' "$1" "${@:2}"
    cp "$PKG/test/check.js" "$1/"
}

# 1. The clients and the package from the repository folder.
a=$tmp/folder
new_project "$a" better-sqlite3 sqlite3 softdelete "$PKG"
run "npm install $BETTER_SQLITE3 $NODE_SQLITE3 $PKG" \
    timeout "$step_timeout" npm install --prefix "$a" "$BETTER_SQLITE3" \
    ${NODE_SQLITE3:+"$NODE_SQLITE3"} "$PKG"
# shellcheck disable=SC2086,SC2016
run "soft delete, package installed from bindings/node" \
    sh -c 'cd "$1" && shift && exec node check.js "$@"' _ "$a" "$PKG" $clients
versions=$(cat "$log")

# 2. The tarball, alone in a clean folder.
# shellcheck disable=SC2016
run "npm pack in bindings/node" \
    timeout "$step_timeout" sh -c 'cd "$1" && npm pack --pack-destination "$2"' _ "$PKG" "$tmp"
tgz=$(ls "$tmp"/softdelete-*.tgz)
contents=$(tar -tzf "$tgz")
for f in package/package.json package/index.js package/scripts/build.js \
         package/README.md package/LICENSE package/csrc/VERSION \
         package/csrc/ext/softdelete.c package/csrc/ext/softdelete.h; do
    case "$contents" in *"$f"*) ;; *) echo "$me: FAILED: $f missing from $(basename "$tgz")" >&2; exit 1 ;; esac
done
case "$contents" in *package/build/*) echo "$me: FAILED: $(basename "$tgz") holds a build/ folder" >&2; exit 1 ;; esac
[ "$(tar -xzOf "$tgz" package/csrc/VERSION)" = "$(cat VERSION)" ] ||
    { echo "$me: FAILED: the tarball's csrc/VERSION is not VERSION" >&2; exit 1; }
pkg_version=$(node -p 'require(process.argv[1]).version' "$PKG/package.json")
[ "$pkg_version" = "$(cat VERSION)" ] ||
    { echo "$me: FAILED: bindings/node/package.json says $pkg_version, VERSION $(cat VERSION)" >&2; exit 1; }

b=$tmp/tarball
new_project "$b" "$tgz"
run "npm install $(basename "$tgz")" \
    timeout "$step_timeout" npm install --prefix "$b" "$tgz"
# shellcheck disable=SC2086,SC2016
run "soft delete, package installed from $(basename "$tgz")" \
    env NODE_PATH="$a/node_modules" \
    sh -c 'cd "$1" && shift && exec node check.js "$@"' _ "$b" "$b/node_modules/softdelete" $clients

echo "$me: ok: softdelete $pkg_version loaded through $versions, installed from" \
     "bindings/node and from $(basename "$tgz") ($((SECONDS - start))s)"
