#!/usr/bin/env bash
# Install the front-end files the Solara/Mesa browser page needs, so it renders offline.
#
# Solara's page loads its JavaScript/CSS from a public CDN through the server path
# /_solara/cdn/<package>@<version>/<file>. The server first looks in a cache folder
# (<venv>/share/solara/cdn, or $SOLARA_ASSETS_PROXY_CACHE_DIR if set when Python starts)
# laid out as <package>@<version>/<file>. This script fills that folder from the npm
# registry with `npm pack`, so nothing has to be fetched from the CDN at run time.
#
#   bash scripts/install_web_assets.sh [CACHE_DIR]
#
# Idempotent: packages already unpacked are skipped. Needs node/npm.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
CDN_DIR="${1:-${SOLARA_ASSETS_PROXY_CACHE_DIR:-$VENV/share/solara/cdn}}"

log() { printf '[web-assets] %s\n' "$*"; }
die() { printf '[web-assets] ERROR: %s\n' "$*" >&2; exit 1; }

# Package specs the page requests, as "<name> <default version or range>".
# The version actually used is read from the installed solara (so a solara upgrade that
# moves to a new version is followed); the default applies if it cannot be read.
#   @widgetti/solara-vuetify-app  page shell            (solara/server/templates/solara.html.j2)
#   requirejs                     module loader         (same template, vegalite.vue)
#   font-awesome                  icons                 (solara/server/settings.py)
#   @widgetti/vue-grid-layout     Mesa's component grid (solara/widgets/vue/gridlayout.vue)
#   vega, vega-lite, vega-embed   the app's network and charts (sim/interfaces/browser/vega_view.vue)
#                                 and Altair charts     (solara/widgets/vue/vegalite.vue)
#   mermaid, katex                every solara.Markdown (solara/components/markdown.py): a
#                                 missing one costs seconds of CDN retries and leaves math unrendered
PACKAGES=(
    "@widgetti/solara-vuetify-app 10.1.1"
    "requirejs 2.3.6"
    "font-awesome 4.5.0"
    "@widgetti/vue-grid-layout 2.3.13-alpha.2"
    "vega 5"
    "vega-lite 5"
    "vega-embed 6"
    "mermaid 10.8.0"
    "katex 0.16.9"
)

# Where the installed solara keeps its sources (no import: that is slow).
SOLARA_SRC=""
for d in "$VENV"/lib/python3*/site-packages/solara; do
    [ -d "$d" ] && SOLARA_SRC="$d" && break
done
if [ -z "$SOLARA_SRC" ]; then
    log "solara not found in $VENV: using the default package versions"
fi

# Print every version of package $1 that solara's page/widget sources, or the app's own
# widgets (sim/interfaces/browser/*.vue), request.
requested_versions() {
    local name="$1" re
    [ -n "$SOLARA_SRC" ] || return 0
    re="$(printf '%s' "$name" | sed 's/[.]/\\./g')"
    # "<sep><name>@<version>/" where <sep> is /, " or ' (so "vega@" does not match "vega-lite@")
    grep -rhoE "[/\"']${re}@[0-9][A-Za-z0-9.+-]*/" \
        "$SOLARA_SRC/server/templates" "$SOLARA_SRC/server/settings.py" "$SOLARA_SRC/widgets/vue" \
        "$SOLARA_SRC/components/markdown.py" "$REPO_ROOT/sim/interfaces/browser" \
        2>/dev/null | sed -E "s|^[/\"']${re}@||; s|/$||" | sort -u || true
}

command -v npm >/dev/null 2>&1 || die "npm is not installed (needed to fetch the web assets from the npm registry)"
command -v tar >/dev/null 2>&1 || die "tar is not installed"

mkdir -p "$CDN_DIR"
CDN_DIR="$(cd "$CDN_DIR" && pwd)"
log "cache folder: $CDN_DIR"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

is_exact() { [[ "$1" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]]; }

# Unpack <name>@<exact version> into $CDN_DIR/<name>@<version>/ unless already there.
install_exact() {
    local name="$1" version="$2"
    local dest="$CDN_DIR/$name@$version"
    if [ -f "$dest/.installed" ]; then
        log "ok       $name@$version (already unpacked)"
        return 0
    fi
    log "fetching $name@$version (npm pack) ..."
    local work
    work="$TMP/$(printf '%s' "$name@$version" | tr '/@' '__')"
    mkdir -p "$work/unpacked"
    local tgz
    tgz="$(cd "$work" && npm pack --silent "$name@$version" | tail -n 1)"
    [ -f "$work/$tgz" ] || die "npm pack $name@$version did not produce a tarball"
    # the tarball holds one top folder (normally package/): its content goes into dest
    tar -xzf "$work/$tgz" -C "$work/unpacked" --strip-components=1 --no-same-owner
    touch "$work/unpacked/.installed"
    mkdir -p "$(dirname "$dest")"
    rm -rf "$dest"
    mv "$work/unpacked" "$dest"
    log "unpacked $name@$version -> $dest"
}

# Resolve a range such as "5" to the highest published matching version.
resolve_range() {
    local name="$1" range="$2" out
    out="$(npm view "$name@$range" version --json 2>/dev/null)" \
        || die "npm view $name@$range failed (is the npm registry reachable?)"
    printf '%s' "$out" | node -e '
        let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
            let v = JSON.parse(s); if (!Array.isArray(v)) v = [v];
            v = v.filter(x => /^\d+\.\d+\.\d+$/.test(x));
            const key = x => x.split(".").map(Number);
            v.sort((a, b) => { const A = key(a), B = key(b);
                for (let i = 0; i < 3; i++) if (A[i] !== B[i]) return A[i] - B[i]; return 0; });
            if (!v.length) process.exit(1);
            console.log(v[v.length - 1]);
        });'
}

for entry in "${PACKAGES[@]}"; do
    name="${entry%% *}"
    default="${entry#* }"
    mapfile -t versions < <(requested_versions "$name")
    [ "${#versions[@]}" -gt 0 ] || versions=("$default")
    for spec in "${versions[@]}"; do
        if is_exact "$spec"; then
            install_exact "$name" "$spec"
            continue
        fi
        # A range (e.g. vega@5): the page requests the folder "<name>@<range>" literally,
        # so install the newest matching version and point "<name>@<range>" at it.
        link="$CDN_DIR/$name@$spec"
        if [ -f "$link/.installed" ]; then
            log "ok       $name@$spec -> $(readlink "$link" 2>/dev/null || echo "$name@$spec") (already unpacked)"
            continue
        fi
        version="$(resolve_range "$name" "$spec")" || die "no published version of $name matches '$spec'"
        install_exact "$name" "$version"
        rm -rf "$link"
        # relative link inside the same folder (the @scope/ folder for scoped packages)
        ln -s "$(basename "$name")@$version" "$link"
        log "linked   $name@$spec -> $name@$version"
    done
done

# Check the files the page asks for first.
missing=0
for f in \
    "@widgetti/solara-vuetify-app@*/dist/solara-vuetify-app*.min.js" \
    "requirejs@*/require.js" \
    "font-awesome@*/css/font-awesome.min.css" \
    "@widgetti/vue-grid-layout@*/dist/vue-grid-layout.umd.js" \
    "vega@*/build/vega.min.js" \
    "vega-lite@*/build/vega-lite.min.js" \
    "vega-embed@*/build/vega-embed.min.js" \
    "mermaid@*/dist/mermaid.min.js" \
    "katex@*/dist/katex.min.js" \
    "katex@*/dist/contrib/auto-render.min.js"; do
    if ! compgen -G "$CDN_DIR/$f" >/dev/null; then
        log "missing  $f"
        missing=1
    fi
done
[ "$missing" = "0" ] || die "some web assets are missing in $CDN_DIR (see above)"
log "all web assets present in $CDN_DIR"
