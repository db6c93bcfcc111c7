# Every after-mode mechanism is needed (docs/simulator.md, "Ablation"): switched off alone, each must end in the
# violation that names its failure within 5,000 seeds, and the gate must be able to fail.
.PHONY: test-ablation
test-ablation: sim-release ## sim ablate: each after mechanism switched off alone is caught by the violation that names it
	SIM=$(SIM_RELEASE) checks/ablation/check-ablation.sh
