#!/usr/bin/env python3
"""Dashboards as code: writes the Grafana dashboard JSON files in apps/base/observability/dashboards/
(shipped as ConfigMaps for the kube-prometheus-stack Grafana sidecar). `make lint-alerts` checks that
the committed JSON equals this script's output, that it parses, that every query is valid PromQL and
names only metrics listed in docs/interfaces.md.

Usage: python -m scripts.ops.build_dashboards OUT_DIR
"""

import json
import os
import sys

from scripts.ops.dashboard_backends import kafka, postgres
from scripts.ops.dashboard_services import api, worker


def main(argv=None):
    argv = sys.argv if argv is None else argv
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    os.makedirs(argv[1], exist_ok=True)
    for name, build in (("api", api), ("worker", worker), ("kafka", kafka), ("postgres", postgres)):
        with open(os.path.join(argv[1], f"{name}.json"), "w") as handle:
            json.dump(build(), handle, indent=1, sort_keys=True)
            handle.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
