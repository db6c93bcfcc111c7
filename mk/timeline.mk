# Postmortem timeline (issue 6, item 5): `sim --html/--svg`, checked in a real headless browser.
# The renderers' unit tests (Tests/SimTests/Timeline*) run with test-swift.
.PHONY: deps-timeline test-timeline

deps-timeline: ## install Debian chromium when missing (for test-timeline)
	bash scripts/deps/timeline.sh

test: test-timeline

test-timeline: deps-timeline sim-release ## timeline HTML in headless chromium: a marker per violation, no network request
	SIM=$(SIM_RELEASE) checks/timeline/check-timeline.sh
