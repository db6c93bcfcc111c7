"""The assertion every planted-defect test of the platform checks makes."""


def failed(tree, check, expected):
    """`check` fails on `tree` and its output names the defect (`expected`)."""
    rc, out = tree.lint(check)
    assert rc != 0, f"{check} passed on a defect:\n{out}"
    assert expected in out, f"{check} failed without saying {expected!r}:\n{out}"


def planted_failed(tree, check, defects, defect):
    """Plants `defects[defect]` (path, old text, new text, what the check must say) and asserts `check` names it."""
    path, old, new, expected = defects[defect]
    tree.replace(path, old, new)
    failed(tree, check, expected)
