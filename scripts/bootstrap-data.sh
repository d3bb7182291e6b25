#!/usr/bin/env bash
# Debian packages the experiments and tests use: real Fashion-MNIST (IDX gz files in
# /usr/share/datasets/fashion-mnist), espeak-ng (speech labels) and chromium (report screenshot).
# Installed only where apt-get is usable as root; elsewhere torchvision downloads Fashion-MNIST
# into data/ on first use, and the tests that need the others are skipped.
set -u
missing=()
[ -d /usr/share/datasets/fashion-mnist ] || missing+=(dataset-fashion-mnist)
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
command -v chromium >/dev/null || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} with apt-get"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "note: ${missing[*]} not installed (needs root and apt-get); continuing without them"
fi
