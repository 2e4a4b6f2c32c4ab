# Sourced by tools/run.sh and tools/test.sh: installs npm dependencies when needed.
install_npm_dependencies() {
  if [[ -d node_modules && -f node_modules/.package-lock.json && ! package-lock.json -nt node_modules/.package-lock.json ]]; then
    return 0
  fi
  echo "install: npm dependencies"
  if ! npm ci --no-audit --no-fund; then
    # The lock file lists only the Linux builds of platform-specific optional packages (the registry
    # reachable from these machines serves no others), which npm 11's `npm ci` rejects as "not in sync";
    # `npm install --no-save` installs the same locked versions (docs/adr/0007).
    echo "install: npm ci rejected the lock file; falling back to npm install --no-save"
    npm install --no-save --no-audit --no-fund || { echo "install: npm install failed"; return 1; }
  fi
}
