// Bundle editor.js and what it imports into one minified file for the package to serve, with a
// header naming every bundled package and version, and their licence texts beside it.
// Run by scripts/build-editor.sh (after `npm ci`), from this folder.
import { build } from "esbuild";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const OUT = "../src/sugraph/web/static/vendor";
const BUNDLE = `${OUT}/editor.bundle.js`;
const LICENSES = `${OUT}/editor.LICENSES.txt`;

/** The package folder an input file of the bundle belongs to (node_modules/@scope/name or node_modules/name). */
function packageOf(input) {
  const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match ? `node_modules/${match[1]}` : null;
}

const common = { entryPoints: ["editor.js"], bundle: true, minify: true, format: "iife", target: "es2020", legalComments: "none" };
const probe = await build({ ...common, write: false, metafile: true });
const folders = [...new Set(Object.keys(probe.metafile.inputs).map(packageOf).filter(Boolean))].sort();
const packages = folders.map((folder) => {
  const meta = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const file = readdirSync(folder).find((f) => /^licen[cs]e/i.test(f));
  if (!file) throw new Error(`${meta.name} ships no licence file`);
  return { name: meta.name, version: meta.version, license: meta.license, text: readFileSync(join(folder, file), "utf8").trim() };
});

const names = packages.map((p) => `${p.name}@${p.version}`).join(", ");
const banner = `/*! sugraph SPARQL editor (web-editor/editor.js, built by scripts/build-editor.sh). Bundles: ${names}. Licences: /static/vendor/editor.LICENSES.txt */`;
await build({ ...common, outfile: BUNDLE, banner: { js: banner } });
writeFileSync(
  LICENSES,
  "Licences of the packages bundled in editor.bundle.js (built by scripts/build-editor.sh from web-editor/).\n\n" +
    packages.map((p) => `${"=".repeat(78)}\n${p.name}@${p.version} (${p.license})\n${"=".repeat(78)}\n\n${p.text}\n`).join("\n"),
);
console.log(`${BUNDLE}: ${readFileSync(BUNDLE).length} bytes, ${packages.length} packages`);
