#!/usr/bin/env bash
# apt_install PKG...: installs the Debian packages that are missing, once, under a lock
# so that concurrent install scripts do not fight over dpkg. Source this file.
apt_install() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  echo "apt: installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  (
    flock 9
    # Refresh the package lists at most once an hour.
    local stamp=/var/lib/apt/periodic/eaglepool-update-stamp
    if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +60)" ]; then
      $sudo apt-get update -qq
      $sudo mkdir -p "$(dirname "$stamp")" && $sudo touch "$stamp"
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  ) 9>/tmp/eaglepool-apt.lock
}
