#!/usr/bin/env bash
# Fails when a layer includes a header of a layer above it.
# Order, lowest first: core < frame < parquet < io < cli.
set -u
root=$1
layers=(core frame parquet io cli)
status=0
for i in "${!layers[@]}"; do
  layer=${layers[$i]}
  higher=("${layers[@]:$((i + 1))}")
  ((${#higher[@]})) || continue
  pattern=$(printf '|crv/%s/' "${higher[@]}")
  pattern=${pattern:1}
  for dir in "$root/include/crv/$layer" "$root/src/$layer"; do
    [ -d "$dir" ] || continue
    if hits=$(grep -rnE "#include [<\"]($pattern)" "$dir"); then
      echo "layer '$layer' includes a higher layer:"
      echo "$hits"
      status=1
    fi
  done
done
[ $status -eq 0 ] && echo "layering ok: ${layers[*]}"
exit $status
