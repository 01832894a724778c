#!/usr/bin/env python3
"""Validates definitions files (YAML or JSON) against docs/definitions.schema.json with the
jsonschema package (Debian python3-jsonschema): someone else's validator, so the schema is
checked by an implementation we did not write. Usage: definitions_schema_check.py SCHEMA FILE...
Prints one line per file, "ok FILE" or "invalid FILE: path: message", and exits 1 if any is invalid."""
import json
import sys

import jsonschema
import yaml


def main() -> int:
    schema_path, *files = sys.argv[1:]
    with open(schema_path, encoding="utf-8") as handle:
        schema = json.load(handle)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    failed = False
    for path in files:
        with open(path, encoding="utf-8") as handle:
            documents = [document for document in yaml.safe_load_all(handle) if document is not None]
        errors = [error for document in documents for error in validator.iter_errors(document)]
        if errors:
            failed = True
            for error in errors:
                location = "/".join(str(part) for part in error.absolute_path)
                print(f"invalid {path}: {location}: {error.message}")
        else:
            print(f"ok {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
