# Consumer-group conformance: scripted group-protocol scenarios (Tests/GroupConformanceTests/GroupScenario.swift)
# run against the simulator's coordinator and assignor and against librdkafka's mock cluster, compared.
# In-process mock brokers on kernel-picked ports; about 85 s, most of it the mock's rebalance timers.
.PHONY: test-group-conformance

test-group-conformance: deps ## group scenarios: the simulator's coordinator vs librdkafka's mock cluster; the mock's deviations are in docs/simulator.md
	$(SWIFT) test --filter GroupConformanceTests
