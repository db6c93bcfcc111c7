# Fuzzing at cluster scale and the twin as an advisor (docs/simulator.md): sharded sweeps merge to the single
# sweep, the fleet's Job scripts run without a cluster, and `sim tune`'s recommendation holds on unseen seeds.
.PHONY: test-fuzz test-tune
test-fuzz: sim-release deps ## shards as separate processes merge to one sweep; merge refuses gaps; the fleet's pods dry-run
	SIM=$(SIM_RELEASE) checks/fuzz/check-shards.sh
	SIM=$(SIM_RELEASE) checks/fuzz/check-fleet.sh

test-tune: sim-release deps ## sim tune: the recommended patch meets the objective on holdout seeds; a planted bad setting fails
	SIM=$(SIM_RELEASE) checks/twin/check-tune.sh
