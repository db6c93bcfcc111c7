"""`make test-infra` can fail: infra/ with planted defects, applied to the AWS API emulator by
scripts/infra/test-infra.sh. One tree carries two defects, each caught by its own phase:
- the database backup bucket's versioning suspended: the `terraform test` assertion on the applied buckets fails;
- the launch template no longer ignores the tag specification the emulator reports back: the plan right after
  apply is not empty (the same failure a real non-converging resource gives).
The pristine tree passes the same script in `make test-infra` just before this test."""


def test_emulator_run_fails_on_planted_defects(tree):
    tree.replace("infra/modules/backups/main.tf", 'status = "Enabled"', 'status = "Suspended"')
    tree.replace("infra/modules/node_groups/main.tf", "    ignore_changes = [tag_specifications]\n", "")
    rc, out = tree.run("scripts/infra/test-infra.sh", "test", "replan")
    flat = " ".join(out.split())  # Terraform wraps its diagnostics
    assert rc != 0, out
    assert "backup buckets must be versioned, KMS-encrypted with the backup key and private" in flat, out
    assert '"versioning":"Suspended"' in flat, out
    assert "replan: FAILED: the plan right after apply is not empty" in out, out
    assert "test-infra: FAILED (test replan)" in out, out
