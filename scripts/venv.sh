# Sourced by scripts/demo and scripts/test (from the repository root):
#   ensure_venv SPEC     e.g. ensure_venv "."  or  ensure_venv ".[test]"
# Creates .venv and runs `pip install -e SPEC` only when needed: .venv is missing or broken, or
# setup.cfg / pyproject.toml (or SPEC) changed since the last install of SPEC. Their hash is kept
# in .venv/.warta-install[-EXTRAS]; code changes need no reinstall (editable install). A fresh clone
# (CI) has no .venv and always installs. WARTA_REINSTALL=1 forces the install.
ensure_venv() {
  local spec="$1"
  local extras="${spec//[^A-Za-z0-9,]/}"          # "." -> "", ".[test]" -> "test"
  local stamp=".venv/.warta-install${extras:+-$extras}"
  local want
  want="$({ printf '%s\n' "$spec"; cat setup.cfg pyproject.toml; } | sha256sum | cut -d' ' -f1)"
  if [ "${WARTA_REINSTALL:-0}" != 1 ] && [ -x .venv/bin/warta-serve ] && [ -x .venv/bin/warta-index ] \
     && .venv/bin/python -c "" 2>/dev/null && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  python3 -m venv .venv
  rm -f "$stamp"                      # an install that fails half-way must not look done
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e "$spec"
  printf '%s\n' "$want" > "$stamp"
}
