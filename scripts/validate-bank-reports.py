"""Validates every bank report (camt.054, pain.002) the tests left in DIR against the schema of
its root namespace in tests/iso20022/. Fails on an invalid file, a namespace without a schema,
or no files at all. Usage: validate-bank-reports.py DIR"""

import pathlib
import sys
import xml.etree.ElementTree as ET

import xmlschema

SCHEMAS = pathlib.Path(__file__).resolve().parent.parent / "tests" / "iso20022"
PREFIX = "urn:iso:std:iso:20022:tech:xsd:"
BY_NAMESPACE = {
    PREFIX + "camt.054.001.02": "camt.054.001.02.xsd",
    PREFIX + "camt.054.001.08": "camt.054.001.08.xsd",
    PREFIX + "pain.002.001.03": "pain.002.001.03_DK-variant.xsd",
    PREFIX + "pain.002.001.10": "pain.002.001.10.xsd",
}

directory = pathlib.Path(sys.argv[1])
files = sorted(directory.glob("*.xml"))
if not files:
    sys.exit(f"no bank reports in {directory}: the bank report tests did not run")
schemas = {}
failed = 0
seen = set()
for path in files:
    namespace = ET.parse(path).getroot().tag.partition("}")[0].lstrip("{")
    if namespace not in BY_NAMESPACE:
        failed += 1
        print(f"UNKNOWN {path.name}: no schema for namespace '{namespace}'")
        continue
    seen.add(namespace.removeprefix(PREFIX))
    if namespace not in schemas:
        schemas[namespace] = xmlschema.XMLSchema(str(SCHEMAS / BY_NAMESPACE[namespace]))
    errors = list(schemas[namespace].iter_errors(str(path)))
    if errors:
        failed += 1
        print(f"INVALID {path.name}: {errors[0].reason} at {errors[0].path}")
print(f"bank reports: {len(files) - failed} of {len(files)} files valid ({', '.join(sorted(seen))})")
sys.exit(1 if failed else 0)
