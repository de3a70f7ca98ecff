#!/usr/bin/env bash
# Copies the address finder's third-party files from interop/node_modules (installed from the committed
# interop/package-lock.json with `npm ci`) into crates/gaap-server/assets/vendor/, so the server builds
# from a fresh clone with no npm step. Run it after changing a version in interop/package.json:
#
#   (cd interop && npm install --save accessible-autocomplete@X govuk-frontend@Y)
#   crates/gaap-server/assets/update-vendor.sh
#
# What it changes on the way, and nothing else:
# - govuk-frontend.min.css: the @font-face rules are removed (GDS Transport is licensed for GOV.UK only,
#   so the text falls back to Arial as GOV.UK Frontend's font stack says) and so is the source map comment;
# - accessible-autocomplete.min.{js,css}: the source map comment is removed (the maps are not shipped).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
modules="$root/interop/node_modules"
vendor="$here/vendor"

if [ ! -d "$modules/accessible-autocomplete" ] || [ ! -d "$modules/govuk-frontend" ]; then
  echo "error: run (cd interop && npm ci) first" >&2
  exit 1
fi

version() { node -p "require('$modules/$1/package.json').version"; }
no_source_map() { sed -E 's#/\*\# sourceMappingURL=[^*]*\*/##g; s#//\# sourceMappingURL=.*$##'; }

aa="$vendor/accessible-autocomplete"
mkdir -p "$aa"
no_source_map <"$modules/accessible-autocomplete/dist/accessible-autocomplete.min.js" >"$aa/accessible-autocomplete.min.js"
no_source_map <"$modules/accessible-autocomplete/dist/accessible-autocomplete.min.css" >"$aa/accessible-autocomplete.min.css"
cp "$modules/accessible-autocomplete/LICENSE.txt" "$aa/LICENSE.txt"
aa_version="$(version accessible-autocomplete)"

gf="$vendor/govuk-frontend"
mkdir -p "$gf"
no_source_map <"$modules/govuk-frontend/dist/govuk/govuk-frontend.min.css" \
  | node -e '
      let css = require("fs").readFileSync(0, "utf8");
      css = css.replace(/@font-face\{[^}]*\}/g, "");
      if (/@font-face|\/assets\/fonts\//.test(css)) { console.error("a font reference is left"); process.exit(1); }
      process.stdout.write(css);
    ' >"$gf/govuk-frontend.min.css"
gf_version="$(version govuk-frontend)"
# The sandbox (a library that must not depend on gaap-server) serves the same stylesheet for its sign-in and
# card pages; the example services compile in gaap-server's copy.
sandbox_gf="$root/crates/gaap-sandbox/assets/vendor/govuk-frontend"
mkdir -p "$sandbox_gf"
cp "$gf/govuk-frontend.min.css" "$sandbox_gf/govuk-frontend.min.css"
# The npm package has no licence file of its own; its package.json says MIT and the repository's
# LICENSE.txt carries the notice, written here.
cat >"$gf/LICENSE.txt" <<'LICENCE'
The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
LICENCE

cat >"$vendor/NOTICE.md" <<NOTICE
# Third-party files in the address finder

Copied from npm packages by \`crates/gaap-server/assets/update-vendor.sh\` (versions pinned by
\`interop/package-lock.json\`) and served inside \`/assets/gaap-address-finder.js\` and
\`/assets/gaap-address-finder.css\`. Each keeps its own licence, in its folder.

| folder | npm package | version | licence | files |
|---|---|---|---|---|
| \`accessible-autocomplete/\` | [accessible-autocomplete](https://www.npmjs.com/package/accessible-autocomplete) (alphagov/accessible-autocomplete) | $aa_version | MIT, \`LICENSE.txt\` | \`dist/accessible-autocomplete.min.js\`, \`dist/accessible-autocomplete.min.css\` |
| \`govuk-frontend/\` | [govuk-frontend](https://www.npmjs.com/package/govuk-frontend) (alphagov/govuk-frontend) | $gf_version | MIT, \`LICENSE.txt\` | \`dist/govuk/govuk-frontend.min.css\` |

Changes made on copying: the source map comments are removed (the maps are not shipped), and the
\`@font-face\` rules are removed from GOV.UK Frontend's stylesheet. GOV.UK's typeface, GDS Transport, is
licensed for GOV.UK only and is not shipped; text falls back to Arial, the next font in GOV.UK Frontend's
stack. No other file of either package (fonts, images, JavaScript of GOV.UK Frontend) is copied.
NOTICE
cp "$gf/LICENSE.txt" "$sandbox_gf/LICENSE.txt"
sed -i -E "s/\| [0-9]+\.[0-9]+\.[0-9]+ \| MIT/| $gf_version | MIT/" "$root/crates/gaap-sandbox/assets/vendor/NOTICE.md"

echo "vendored accessible-autocomplete $aa_version and govuk-frontend $gf_version into $vendor"
