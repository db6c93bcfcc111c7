"""Each platform check passes on the pristine tree and fails, naming the defect, when one is injected.
The defects are the mistakes these checks exist for: a field the API server would reject, a consumer cap above
the partition count, a NetworkPolicy that is wider or narrower than the documented matrix, an AZ without nodes,
a bucket left unversioned or keeping old versions forever, a skip without a reason, a broken script. This file
holds the pristine run; the planted defects are in one file per check (test_lint_network.py, ...), those of the
rendered manifests' checks in test_lint_manifests.py."""


def test_every_check_passes_on_the_pristine_tree(tree):
    rc, out = tree.lint()
    assert rc == 0, out
    assert "lint-platform: all 15 checks passed" in out
