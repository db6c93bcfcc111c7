# The api as a contract: docs/openapi.yaml validated (make lint) and held against the running api (make test):
# every documented example, schemathesis fuzzing with and without an API key, the ledger afterwards.
.PHONY: lint-api test-api

lint-api: deps ## docs/openapi.yaml is a valid OpenAPI 3.1 document
	$(VENVS)/api/bin/openapi-spec-validator docs/openapi.yaml

test-api: deps ## examples, schemathesis (with and without a key) and the ledger check against a running api
	scripts/live/test-api.sh
