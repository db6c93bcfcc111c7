# Postmortem timeline: `sim --html/--svg`, checked in a real headless browser.
# The renderers' unit tests (Tests/SimTests/Timeline*) run with test-swift.
.PHONY: test-timeline

test-timeline: deps sim-release ## timeline HTML in headless chromium: a marker per violation, no network request
	SIM=$(SIM_RELEASE) checks/timeline/check-timeline.sh
