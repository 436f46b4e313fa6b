# Shared helpers for scripts/*. Sourced, not executed.
log() { echo "[ocpp_csms] $*" >&2; }

# Print a python >= 3.14.2 if one is available on PATH, via $OCPP_CSMS_PYTHON or via uv.
find_real_python() {
  local c
  for c in "${OCPP_CSMS_PYTHON:-}" python3.14 python3.15 python3; do
    [ -n "$c" ] || continue
    command -v "$c" >/dev/null 2>&1 || continue
    if "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  if command -v uv >/dev/null 2>&1; then
    c="$(timeout 60 uv python find '>=3.14.2' 2>/dev/null || true)"
    if [ -z "$c" ] && timeout 120 uv python install 3.14 >/dev/null 2>&1; then
      c="$(uv python find '>=3.14.2' 2>/dev/null || true)"
    fi
    if [ -n "$c" ]; then echo "$c"; return 0; fi
  fi
  return 1
}

# Where the Debian sid fallback root lives: shared by all clones on this machine.
sid_root() { echo "${OCPP_CSMS_SID_ROOT:-/var/cache/ocpp_csms/sid-root}"; }

# in_sid ROOT CMD...: run CMD inside the sid root, with the repository (and /tmp)
# bind-mounted at the same paths. Mounts vanish when the command exits.
in_sid() {
  local root="$1"; shift
  local repo; repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  mkdir -p "$root$repo" "$root/proc" "$root/dev" "$root/tmp"
  unshare --mount --propagation private -- /bin/bash -c '
    set -e
    root="$1"; repo="$2"; shift 2
    mount --bind "$repo" "$root$repo"
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount --bind /tmp "$root/tmp"
    cwd="$PWD"
    exec chroot "$root" /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"
  ' _ "$root" "$repo" "$@"
}

# run_in_env CMD...: run CMD with the project's venv first on PATH.
run_in_env() {
  local repo; repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if [ "$(cat "$repo/.env-kind" 2>/dev/null)" = "sid" ]; then
    in_sid "$(sid_root)" env PATH="/opt/venv/bin:/usr/local/bin:/usr/bin:/bin" VIRTUAL_ENV=/opt/venv "$@"
  else
    env PATH="$repo/.venv/bin:$PATH" VIRTUAL_ENV="$repo/.venv" "$@"
  fi
}
