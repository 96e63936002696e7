#!/usr/bin/env bash
# Print the path of a Python interpreter of version $1 (e.g. 3.10): pyenv first, then PATH.
set -euo pipefail
want="$1"
if command -v pyenv >/dev/null 2>&1; then
  prefix=$(pyenv prefix "$want" 2>/dev/null | head -n 1 || true)
  if [ -z "$prefix" ]; then
    latest=$(ls "$(pyenv root)/versions" 2>/dev/null | grep -E "^${want//./\\.}\.[0-9]+$" | sort -V | tail -n 1 || true)
    [ -n "$latest" ] && prefix="$(pyenv root)/versions/$latest"
  fi
  if [ -n "$prefix" ] && [ -x "$prefix/bin/python$want" ]; then echo "$prefix/bin/python$want"; exit 0; fi
fi
if command -v "python$want" >/dev/null 2>&1; then
  candidate=$(command -v "python$want")
  if "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" 2>/dev/null; then
    echo "$candidate"; exit 0
  fi
fi
echo "error: Python $want not found. Install it (e.g. 'pyenv install $want') or put python$want on PATH." >&2
exit 1
