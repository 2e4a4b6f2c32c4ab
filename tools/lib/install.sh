# Sourced by tools/run.sh and tools/test.sh: installs npm dependencies when needed.
install_npm_dependencies() {
  if [[ -d node_modules && -f node_modules/.package-lock.json && ! package-lock.json -nt node_modules/.package-lock.json ]]; then
    return 0
  fi
  echo "install: npm dependencies (npm ci from the lock file)"
  # The lock file lists every platform build of the optional native packages, so `npm ci` installs
  # exactly what it says on any machine (docs/adr/0007). A lock out of sync with package.json fails here.
  npm ci --no-audit --no-fund || { echo "install: npm ci failed"; return 1; }
}
