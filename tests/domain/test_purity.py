"""The domain package imports nothing but the standard library and itself."""

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "domain"


def test_domain_imports_only_the_standard_library_and_itself():
    offenders = []
    for path in sorted(DOMAIN.glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                own = name == "planswitch.domain" or name.startswith("planswitch.domain.")
                if not own and top not in sys.stdlib_module_names and top != "__future__":
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_domain_has_no_float_money():
    offenders = [path.name for path in DOMAIN.glob("*.py") if "float(" in path.read_text()]
    assert offenders == []
