# Sourced by the install scripts: apt_install_missing NAME PACKAGE... installs, from
# Debian's packages, those not installed yet (apt-get runs only when one is missing; sudo
# when not root). NAME prefixes the messages.
apt_install_missing() {
  local name="$1"
  shift
  local missing=()
  local p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "$name: all $# packages present"
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "$name: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
