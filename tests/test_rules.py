"""The rule catalogue is the one list of rules: README's list of checks is generated from it, every rule a
check reports is in it, and every rule in it is triggered by some seeded defect."""

from __future__ import annotations

import shutil

from conftest import REFERENCES, REPO, Tables, copy_source
from defects import DEFECTS

from redata import rules, validate


def readme_rules() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return readme.split("<!-- rules: begin -->\n", 1)[1].split("\n<!-- rules: end -->", 1)[0]


def test_readme_lists_the_catalogue():
    assert readme_rules() == rules.markdown()


def test_names_are_unique_and_every_rule_belongs_to_a_layer():
    names = [rule.name for rule in rules.RULES]
    assert len(names) == len(set(names))
    assert {rule.layer for rule in rules.RULES} == set(rules.LAYERS)
    assert all(rule.description and rule.severity in (rules.ERROR, rules.WARNING) for rule in rules.RULES)


def test_every_rule_is_triggered_by_a_seeded_defect(tmp_path, built):
    """Or by the real package: the verdicts of the cross-check are findings, not defects, and it has all three."""
    triggered = {problem.rule for problem in validate(REPO / "datapackage", REFERENCES).problems}
    for number, defect in enumerate(DEFECTS):
        if defect.on == "source":
            root = copy_source(tmp_path / str(number))
            triggered |= {problem[-1] for problem in defect.mutate(root, Tables(root))}
        else:
            root = tmp_path / str(number)
            shutil.copytree(built, root)
            triggered |= {problem[-1] for problem in defect.mutate(root, None)}
    assert {rule.name for rule in rules.RULES} - triggered == set()
