#!/usr/bin/env bash
# Refresh the catalogs after changing user-facing text, then fill the empty Vietnamese
# entries and run it again to compile. Sorted and without source locations, so two
# branches that add messages rarely touch the same lines of the .po file.
set -euo pipefail
cd "$(dirname "$0")/../.."
pybabel extract -F babel.cfg -k _l -k lazy_gettext --sort-output --no-location \
    -o lms/translations/messages.pot . >/dev/null 2>&1
pybabel update -i lms/translations/messages.pot -d lms/translations \
    --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date >/dev/null 2>&1
pybabel compile -d lms/translations >/dev/null 2>&1
python - <<'PY'
from babel.messages.pofile import read_po
with open("lms/translations/vi/LC_MESSAGES/messages.po", encoding="utf-8") as po:
    empty = [m.id for m in read_po(po) if m.id and not m.string]
for message in empty:
    print("untranslated:", message)
PY
