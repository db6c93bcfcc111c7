# Platform: infra/, platform/, apps/. lint-platform runs every platform check; test-platform and test-infra prove
# each check fails on a defect.
.PHONY: lint-platform lint-network print-network-flows test-platform test-infra

lint-platform: deps ## render, validate, policy-scan and analyse the EKS manifests and Terraform
	scripts/lint/platform.sh

lint-network: deps ## only the NetworkPolicy connectivity check against docs/security/traffic-matrix.md
	scripts/lint/platform.sh network

print-network-flows: deps ## print allowed flows; POLICIES=all|deny|none (network-config-analyzer)
	@mkdir -p .local/lint && apps/render.sh after apps/environments/example.env > .local/lint/after.yaml \
	  && apps/render.sh load apps/environments/example.env > .local/lint/load.yaml \
	  && .local/venvs/lint/bin/python -m scripts.lint.check_network --nca .local/venvs/nca/bin/nca \
	     --peers platform/network-peers.yaml --peers platform/manifests/tempo.yaml --matrix docs/security/traffic-matrix.md --print $(or $(POLICIES),all) \
	     .local/lint/after.yaml .local/lint/load.yaml

# Two workers: each test runs its tools (terraform, checkov, kubeconform...) on a copy of its own, one core each.
test-platform: deps ## each platform check fails on an injected defect and passes on the pristine tree
	.local/venvs/lint/bin/python -m pytest -q -n 2 checks/platform --ignore=checks/platform/test_infra_emulator.py

# infra/ applied to the AWS API emulator (moto): terraform test assertions, a re-plan that must be empty,
# destroy; beside it, the same on a tree with planted defects, which must fail. Both mostly wait on the provider's
# polling, so they run at once, each with a moto on ports of its own; the step fails if either does.
test-infra: deps ## terraform test + apply/replan/destroy of infra/ against moto; planted defects must fail
	@scripts/infra/test-infra.sh & pristine=$$!; \
	TEST_INFRA_PORTS=15640-15669 .local/venvs/lint/bin/python -m pytest -q checks/platform/test_infra_emulator.py; \
	planted=$$?; wait $$pristine; pristine=$$?; \
	echo "test-infra: pristine run exit $$pristine, planted-defect check exit $$planted"; \
	[ $$pristine -eq 0 ] && [ $$planted -eq 0 ]
