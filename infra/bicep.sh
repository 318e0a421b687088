#!/usr/bin/env bash
# Restores the Bicep CLI from NuGet (Azure.Bicep.CommandLine.linux-x64) into a cache outside the
# repository, then runs it. There is no Bicep on npm or Debian; NuGet has the binary under tools/.
#   infra/bicep.sh path            print the bicep binary's path (restoring it first if needed)
#   infra/bicep.sh check           compile every infra/*.bicep, fail if the committed JSON differs or the linter warns
#   infra/bicep.sh build           compile every infra/*.bicep over the committed JSON
#   infra/bicep.sh <bicep args>    run bicep itself
set -euo pipefail
BICEP_VERSION="${BICEP_VERSION:-0.49.2}"
RID=linux-x64
CACHE="${BICEP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/privatelink-autopilot/bicep}"
INFRA="$(cd "$(dirname "$0")" && pwd)"
PKG="$CACHE/packages/azure.bicep.commandline.$RID/$BICEP_VERSION"
BICEP="$PKG/tools/bicep"

restore() {
  [ -x "$BICEP" ] && return 0
  command -v dotnet >/dev/null || { echo "bicep.sh: the .NET SDK is needed to restore the Bicep CLI from NuGet" >&2; exit 2; }
  local proj
  proj="$(mktemp -d)"
  # A throw-away project whose only job is to download one package (no build, no reference).
  cat >"$proj/restore.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net$(dotnet --version | cut -d. -f1).0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Azure.Bicep.CommandLine.$RID" Version="[$BICEP_VERSION]" /></ItemGroup>
</Project>
XML
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet restore "$proj/restore.csproj" --packages "$CACHE/packages" >&2
  rm -rf "$proj"
  chmod +x "$BICEP"
  [ -x "$BICEP" ] || { echo "bicep.sh: restored package has no tools/bicep" >&2; exit 2; }
}

# Entry points and modules; the JSON beside each entry point is what Azure and the tests take.
entry_points() { ls "$INFRA"/*.bicep; }

case "${1:-}" in
  path) restore; echo "$BICEP" ;;
  build | check)
    restore
    export BICEP_TELEMETRY_ENABLED=false
    # Compile a copy of infra/ in one bicep run (entry points only: modules have no JSON of their own).
    # watch-policy.bicep embeds watch-subscription.json: the copy keeps the committed JSON, aged so that
    # a file bicep did not rewrite is caught; `build` runs twice so the embedding is the fresh one.
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    cp -r "$INFRA"/. "$work"/
    touch -d '2000-01-01' "$work"/*.json
    touch "$work/.start"
    status=0
    passes=1; [ "$1" = build ] && passes=2
    for _ in $(seq $passes); do
      (cd "$work" && "$BICEP" build --pattern '*.bicep') 2>"$work/.log" || status=1
    done
    # Any diagnostic, linter warnings included, fails.
    if [ -s "$work/.log" ]; then echo "bicep: diagnostics:" >&2; cat "$work/.log" >&2; status=1; fi
    for f in $(entry_points); do
      name="$(basename "${f%.bicep}").json"
      [ "$work/$name" -nt "$work/.start" ] || { echo "bicep: $name was not produced" >&2; status=1; continue; }
      if [ "$1" = build ]; then cp "$work/$name" "$INFRA/$name"
      elif ! cmp -s "$work/$name" "$INFRA/$name"; then
        echo "bicep: infra/$name differs from what infra/$(basename "$f") compiles to (run infra/bicep.sh build and commit):" >&2
        diff -u "$INFRA/$name" "$work/$name" | head -40 >&2 || true
        status=1
      fi
    done
    exit $status ;;
  *) restore; export BICEP_TELEMETRY_ENABLED=false; exec "$BICEP" "$@" ;;
esac
