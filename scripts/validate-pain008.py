"""Validates every pain.008 file the tests left in DIR against the official
pain.008.001.08 XSD that the PyPI package `sepaxml` ships. Usage: validate-pain008.py DIR"""

import pathlib
import sys
from importlib import resources

import xmlschema

directory = pathlib.Path(sys.argv[1])
xsd = resources.files("sepaxml") / "schemas" / "pain.008.001.08.xsd"
schema = xmlschema.XMLSchema(str(xsd))
files = sorted(directory.glob("*.xml"))
if not files:
    sys.exit(f"no pain.008 files in {directory}: the collection tests did not run")
failed = 0
for path in files:
    errors = list(schema.iter_errors(str(path)))
    if errors:
        failed += 1
        print(f"INVALID {path.name}: {errors[0].reason} at {errors[0].path}")
transactions = sum(path.read_text(encoding="utf-8").count("<DrctDbtTxInf>") for path in files)
print(f"pain.008.001.08: {len(files) - failed} of {len(files)} files valid ({transactions} transactions)")
sys.exit(1 if failed else 0)
