#!/usr/bin/env bash
# System packages: Chromium for the browser tests, tesseract-ocr (+ language packs) for OCR of
# scanned CVs. Best effort: without root or network the browser and OCR tests skip with a reason
# instead of failing, and scans get an `empty_text` status telling the recruiter what to do.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if ! command -v tesseract >/dev/null 2>&1; then
  need+=(tesseract-ocr tesseract-ocr-eng)
fi
# OCR language packs for the CV languages the parser reads (deu, fra, spa, nld), when missing
for lang in deu fra spa nld; do
  if ! tesseract --list-langs 2>/dev/null | grep -qx "$lang"; then
    need+=("tesseract-ocr-$lang")
  fi
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  # only packages this system's apt knows: one missing language pack must not block the rest
  avail=()
  for pkg in "${need[@]}"; do
    if apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [^(]'; then
      avail+=("$pkg")
    else
      echo "apt-deps: $pkg is not available from apt; skipping it"
    fi
  done
  if [ ${#avail[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${avail[@]}" >/dev/null 2>&1 \
      || echo "apt-deps: could not install ${avail[*]}; browser/OCR tests will be skipped"
  fi
else
  echo "apt-deps: not root; install ${need[*]} yourself for the browser and OCR tests"
fi
exit 0
