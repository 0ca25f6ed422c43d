#!/usr/bin/env bash
# Rebuild the workbench's SPARQL editor, src/sugraph/web/static/vendor/editor.bundle.js (committed, so a
# plain `pip install` needs no npm), and the licences of what it bundles (editor.LICENSES.txt), from
# web-editor/: its exact pinned packages (package-lock.json) from npm, bundled by esbuild.
# Needs node >= 18 and npm. After changing web-editor/package.json, run `npm install --save-exact` there first.
set -euo pipefail
cd "$(dirname "$0")/../web-editor"
mkdir -p ../src/sugraph/web/static/vendor
npm ci --no-audit --no-fund --silent
node build.mjs
