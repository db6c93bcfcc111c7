# The simulator as the platform's twin (docs/simulator.md): the shipped `after` manifests keep every
# autoscaling property over 1,000 seeds, and each class of bad manifest is caught.
.PHONY: test-twin
test-twin: sim-release deps ## the twin: 1,000 seeds against apps/overlays/after, and bad manifests caught
	SIM=$(SIM_RELEASE) SEEDS=$${TWIN_SEEDS:-1-1000} checks/twin/check-twin.sh
