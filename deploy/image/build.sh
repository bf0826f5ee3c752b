#!/usr/bin/env bash
# Builds vouch's container image without a container daemon, reproducibly.
#
#   deploy/image/build.sh BINARY LAYOUT_DIR [TAG]
#
# BINARY is a built `vouch` (e.g. target/release/vouch); the image is written into the OCI
# image layout LAYOUT_DIR (created when missing) as ghcr.io/vouch-dev/vouch:TAG's content,
# under the layout tag TAG (default: the workspace version). Push it with
#   skopeo copy oci:LAYOUT_DIR:TAG docker://ghcr.io/vouch-dev/vouch:TAG
#
# The root filesystem holds only the binary, the shared libraries `ldd` says it loads (the
# glibc loader, libc, libm, libgcc_s: no shell, no package manager), CA certificates for
# registries, and passwd/group entries for the non-root user 65532 it runs as. Every file
# time, the layer and the config take SOURCE_DATE_EPOCH (default: the last commit's time),
# so two builds of the same binary give the same image digest.
set -euo pipefail

usage() { echo "usage: $0 BINARY LAYOUT_DIR [TAG]" >&2; exit 2; }
[ $# -ge 2 ] && [ $# -le 3 ] || usage
bin=$1
layout=$2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -1)
tag=${3:-$version}
image_name=ghcr.io/vouch-dev/vouch

[ -f "$bin" ] && [ -x "$bin" ] || { echo "error: \`$bin\` is not an executable file" >&2; exit 2; }
for tool in umoci ldd; do
  command -v "$tool" >/dev/null || { echo "error: \`$tool\` is required (apt-get install umoci)" >&2; exit 2; }
done
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 0)}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bundle=$work/bundle

[ -d "$layout" ] || umoci init --layout "$layout"
umoci new --image "$layout:$tag"
umoci unpack --image "$layout:$tag" "$bundle" >/dev/null
root=$bundle/rootfs

install -d -m 0755 "$root/usr/local/bin" "$root/etc/ssl/certs" "$root/home/nonroot"
install -d -m 1777 "$root/tmp"
# Debug information is not needed to run; stripping it is deterministic.
if command -v strip >/dev/null; then
  strip --strip-debug -o "$root/usr/local/bin/vouch" "$bin"
  chmod 0755 "$root/usr/local/bin/vouch"
else
  install -m 0755 "$bin" "$root/usr/local/bin/vouch"
fi
# The shared libraries it loads, at the paths the loader looks for them.
ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u |
  while read -r lib; do
    install -d -m 0755 "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
    chmod 0755 "$root$lib"
  done
for ca in /etc/ssl/certs/ca-certificates.crt; do
  [ -f "$ca" ] && install -m 0644 "$ca" "$root$ca"
done
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
chmod 0644 "$root/etc/passwd" "$root/etc/group"
chown -R 0:0 "$root"
chown 65532:65532 "$root/home/nonroot"
find "$root" -exec touch -h -d "@$epoch" {} +

umoci repack --image "$layout:$tag" \
  --history.created "$created" --history.created_by "deploy/image/build.sh" \
  --history.comment "vouch $version" "$bundle" >/dev/null
umoci config --image "$layout:$tag" --no-history \
  --created "$created" \
  --author "vouch" \
  --os linux --architecture amd64 \
  --config.user 65532:65532 \
  --config.workingdir /home/nonroot \
  --clear config.env --config.env PATH=/usr/local/bin \
  --config.env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  --clear config.entrypoint --config.entrypoint /usr/local/bin/vouch \
  --clear config.cmd --config.cmd webhook --config.cmd serve \
  --config.label "org.opencontainers.image.title=vouch" \
  --config.label "org.opencontainers.image.version=$version" \
  --config.label "org.opencontainers.image.source=https://github.com/vouch-dev/vouch" \
  --config.label "org.opencontainers.image.licenses=Apache-2.0" \
  --manifest.annotation "org.opencontainers.image.created=$created" \
  --manifest.annotation "org.opencontainers.image.ref.name=$image_name:$tag"
umoci gc --layout "$layout"
# The manifest digest: what to sign, push and pin.
python3 - "$layout" "$tag" <<'PY'
import json, sys
index = json.load(open(f"{sys.argv[1]}/index.json"))
for m in index["manifests"]:
    if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == sys.argv[2]:
        print(m["digest"])
        break
else:
    sys.exit(f"no manifest tagged {sys.argv[2]} in {sys.argv[1]}")
PY
