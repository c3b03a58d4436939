#!/usr/bin/env bash
# Fails when a layer includes a header it may not: a public header (crv/<layer>/) of a
# layer that is not among its dependencies, or a private header (<layer>/, beside the
# sources in src/) of any other layer. Public headers include no private header at all.
#
# Dependencies, each layer's own headers aside:
#   core    -> nothing
#   frame   -> core
#   parquet -> core, frame
#   io      -> core, frame, parquet
#   sim     -> core, frame
#   cli     -> core, frame, parquet, io, sim
set -u
root=$1
declare -A allowed=(
  [core]=""
  [frame]="core"
  [parquet]="core frame"
  [io]="core frame parquet"
  [sim]="core frame"
  [cli]="core frame parquet io sim"
)
mapfile -t layers < <(printf '%s\n' "${!allowed[@]}" | sort)
status=0

# Prints the lines under `dir` that include `<prefix><layer>/` for a layer in `forbidden`.
find_includes() {
  local dir=$1 prefix=$2
  shift 2
  (($#)) || return 1
  [ -d "$dir" ] || return 1
  local pattern
  pattern=$(printf "|%s" "$@")
  grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]${prefix}(${pattern:1})/" "$dir"
}

report() {
  local hits=$1 what=$2
  [ -n "$hits" ] || return 0
  echo "$what:"
  echo "$hits"
  status=1
}

for layer in "${layers[@]}"; do
  read -r -a deps <<<"${allowed[$layer]}"
  forbidden=()
  others=()
  for other in "${layers[@]}"; do
    [ "$other" = "$layer" ] && continue
    others+=("$other")
    [[ " ${deps[*]} " == *" $other "* ]] || forbidden+=("$other")
  done
  for dir in "$root/include/crv/$layer" "$root/src/$layer"; do
    report "$(find_includes "$dir" "crv/" "${forbidden[@]}")" \
      "layer '$layer' includes a layer it does not depend on (it may use: ${deps[*]:-nothing})"
  done
  report "$(find_includes "$root/src/$layer" "" "${others[@]}")" \
    "layer '$layer' includes another layer's private headers"
  report "$(find_includes "$root/include/crv/$layer" "" "${layers[@]}")" \
    "public headers of '$layer' include private headers"
done

# Every layer folder under src/ must be one the dependency list knows.
for dir in "$root"/src/*/; do
  name=$(basename "$dir")
  [[ -v "allowed[$name]" ]] || {
    echo "src/$name is not a known layer: add it to $0"
    status=1
  }
done

[ $status -eq 0 ] && echo "layering ok: ${layers[*]}"
exit $status
